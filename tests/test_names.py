import pytest

from models.names import institution_key, split_institutions


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Secretaria Técnica del CORESEC", "Secretaría Técnica CORESEC"),
        ("SECRETARÍA TÉCNICA DEL CORESEC.", "secretaria tecnica coresec"),
        ("Dirección Regional de Educación", "Direccion  Regional Educacion"),
        ("Warmi Ñan", "WARMI NAN"),
        ("Policía Nacional del Perú (PNP)", "Policia Nacional Peru PNP"),
    ],
)
def test_spelling_variants_share_a_key(one, other):
    assert institution_key(one) == institution_key(other)


def test_different_institutions_keep_different_keys():
    assert institution_key("Gobiernos Locales") != institution_key("Gobierno Regional")


def test_key_is_lowercase_words_without_fillers():
    assert institution_key("  Ministerio de la Mujer y Poblaciones Vulnerables ") == (
        "ministerio mujer poblaciones vulnerables"
    )


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        (
            "Secretaria Técnica CORESEC, Gobiernos Locales, PNP y Juntas Vecinales",
            ["Secretaria Técnica CORESEC", "Gobiernos Locales", "PNP", "Juntas Vecinales"],
        ),
        (
            "Región Policial y Dirección Regional de Educación.",
            ["Región Policial", "Dirección Regional de Educación"],
        ),
        ("Warmi Ñan, PNP", ["Warmi Ñan", "PNP"]),
        ("DREMO; UGEL Ilo e INABIF", ["DREMO", "UGEL Ilo", "INABIF"]),
        ("PNP\nGobiernos Locales", ["PNP", "Gobiernos Locales"]),
        ("Prefectura", ["Prefectura"]),
        (" , ;  ", []),
        ("", []),
    ],
)
def test_split_institutions(cell, names):
    assert split_institutions(cell) == names
