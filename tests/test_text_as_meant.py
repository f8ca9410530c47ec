"""Text as people meant it: stored clean (NFC, nothing invisible), and one institution per responsible."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot import committees, importer
from bot.acta import read_acta_text
from models.entities import Agreement, Assignment, Committee, CommitteeKind, Institution, StatusUpdate
from models.names import NATIONAL_NAMES, institution_key, join_known, split_institutions
from models.text import clean_text
from tests.support.progress import committee_with_agreement
from tests.support.scenarios import invitation_code

ARTICLES = {"el", "la", "los", "las"}


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("N.º 5", "N.º 5"),  # NFC, not NFKC: what people wrote stays
        ("Oficio N° 123-2026 ²", "Oficio N° 123-2026 ²"),
        ("P\u200bNP", "PNP"),
        ("Se remitió\x00 el oficio", "Se remitió el oficio"),
        ("\ufeffActa\u00ad de\u200d la\u2060 sesión\u202e", "Acta de la sesión"),
        ("Ministerio\tPúblico", "Ministerio Público"),
        ("primera línea\r\nsegunda\rtercera\u2028cuarta", "primera línea\nsegunda\ntercera\ncuarta"),
        ("Educacio\u0301n", "Educación"),
        ("Educacio\u200b\u0301n", "Educación"),  # the accent finds its letter once the invisible one is gone
        ("Warmi Ñan 🚓", "Warmi Ñan 🚓"),
    ],
)
def test_clean_text_keeps_what_people_wrote_without_what_they_could_not_see(written, stored):
    assert clean_text(written) == stored


@given(st.text(st.characters(codec="utf-8") | st.sampled_from("\x00\t\r\n\u200b\u200d\u00ad\ufeff\u202e\u0301"),
               max_size=60))
def test_clean_text_is_idempotent_nfc_and_leaves_nothing_invisible(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not [char for char in cleaned if char != "\n" and unicodedata.category(char) in ("Cc", "Cf", "Cs")]


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e)))
def test_clean_text_leaves_plain_text_alone(text):
    assert clean_text(text) == text


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("la Comisaría de Ilo y el Ministerio de la Mujer y Poblaciones Vulnerables",
         ["Comisaría de Ilo", "Ministerio de la Mujer y Poblaciones Vulnerables"]),
        ("Los Gobiernos Locales; las Juntas Vecinales / el Gobierno Regional",
         ["Gobiernos Locales", "Juntas Vecinales", "Gobierno Regional"]),
        ("PNP/Serenazgo, y la Fiscalía", ["PNP", "Serenazgo", "Fiscalía"]),
        ("PNP y/o Serenazgo", ["PNP", "Serenazgo"]),
        ("• PNP\n• Serenazgo\n- Fiscalía\n1. DREMO\n2) UGEL Ilo",
         ["PNP", "Serenazgo", "Fiscalía", "DREMO", "UGEL Ilo"]),
        ("Ministerio de Vivienda, Construcción y Saneamiento, SUNAT",
         ["Ministerio de Vivienda, Construcción y Saneamiento", "SUNAT"]),
        ("Superintendencia Nacional de Aduanas y de Administración Tributaria y RENIEC",
         ["Superintendencia Nacional de Aduanas y de Administración Tributaria", "RENIEC"]),
        ("Registro Nacional de Identificación y Estado Civil e INEI",
         ["Registro Nacional de Identificación y Estado Civil", "INEI"]),
        ("Ministerio de la Mujer y Poblaciones Vulnerables (MIMP), PNP",
         ["Ministerio de la Mujer y Poblaciones Vulnerables (MIMP)", "PNP"]),
        ("Dirección Regional de Transportes y Comunicaciones y PNP",
         ["Dirección Regional de Transportes y Comunicaciones", "PNP"]),
        ("Gobiernos Locales (Ilo, Mariscal Nieto) y PNP", ["Gobiernos Locales (Ilo, Mariscal Nieto)", "PNP"]),
        ("Ministerio Público - Fiscalía Provincial, PNP", ["Ministerio Público - Fiscalía Provincial", "PNP"]),
        ("la, las.", []),
    ],
)
def test_responsible_lists_as_people_write_them(cell, names):
    assert split_institutions(cell) == names


def test_keys_fold_invisible_characters_and_keep_words_apart():
    assert institution_key("P\u200bN\x00P") == institution_key("\u0420NP") == "pnp"
    assert institution_key("Ministerio\tPúblico\r\nde Ilo") == institution_key("Ministerio Público de Ilo")


def test_the_committees_own_names_are_never_split():
    own = ["Gerencia de Seguridad Ciudadana y Fiscalización"]
    cell = "PNP y la Gerencia de Seguridad Ciudadana y Fiscalización"
    assert split_institutions(cell) == ["PNP", "Gerencia de Seguridad Ciudadana", "Fiscalización"]
    assert split_institutions(cell, own) == ["PNP", "Gerencia de Seguridad Ciudadana y Fiscalización"]
    # An acta's names come split already: the import joins the pieces of the committee's names again.
    assert join_known(["PNP", "Gerencia de Seguridad Ciudadana", "Fiscalización"], own) == \
        ["PNP", "Gerencia de Seguridad Ciudadana y Fiscalización"]
    assert join_known(["Sede Ilo del Ministerio de Energía", "Minas"], own) == \
        ["Sede Ilo del Ministerio de Energía y Minas"]


async def test_instituciones_agregar_keeps_a_national_name_with_commas_whole(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar PNP, ministerio de vivienda, construccion y saneamiento, Prefectura")

    async with sessions() as db:
        assert (await db.scalars(select(Institution.name).order_by(Institution.id))).all() == [
            "PNP", "Ministerio de Vivienda, Construcción y Saneamiento", "Prefectura"]


WORDS = st.sampled_from(["PNP", "Serenazgo", "Fiscalía", "Prefectura", "Comisaría", "de", "Ilo", "Warmi", "Ñan",
                         "Gobiernos", "Locales", "UGEL", "Juntas", "Vecinales", "Salud", "Educación"])
SIMPLE = st.lists(WORDS, min_size=1, max_size=4).map(" ".join).filter(lambda name: institution_key(name) != "")
SEPARATORS = st.sampled_from([", ", "; ", " / ", "/", " y ", " e ", "\n", "\n• ", "\n- ", ", y ", " y/o "])
ARTICLE = st.sampled_from(["", "", "la ", "el ", "los ", "Las "])


@given(names=st.lists(SIMPLE, min_size=0, max_size=6), known=st.sampled_from(NATIONAL_NAMES),
       at=st.integers(min_value=0, max_value=6), separators=st.lists(SEPARATORS, min_size=7, max_size=7),
       articles=st.lists(ARTICLE, min_size=7, max_size=7))
def test_a_known_name_in_any_list_comes_out_whole(names, known, at, separators, articles):
    names.insert(min(at, len(names)), known)
    cell = "".join(f"{separators[i] if i else ''}{articles[i]}{name}" for i, name in enumerate(names))
    parts = split_institutions(cell)
    assert institution_key(known) in {institution_key(part) for part in parts}
    assert all(part and part.split()[0].casefold() not in ARTICLES for part in parts)


@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=6) | SEPARATORS | ARTICLE | WORDS, max_size=16)
       .map("".join))
def test_no_part_is_empty_nor_starts_with_an_article(cell):
    for part in split_institutions(cell):
        assert part.strip() == part and part
        assert part.split()[0].casefold() not in ARTICLES


async def test_invisible_and_look_alike_letters_in_nuevo_reach_the_pnp(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar PNP, Prefectura")
    await rosa.send("/sesion ordinaria 1 25/02/2026")

    await rosa.send("/nuevo 2.1 | Patrullaje\u200b conjunto | P\u200bNP | 30 de abril")
    assert "Registré el acuerdo <b>2.1</b>" in rosa.last() and "para PNP." in rosa.last()
    await rosa.send("/nuevo 2.2 | Ronda mixta | \u0420NP y Prefectura")  # a Cyrillic Р
    assert "Registré el acuerdo <b>2.2</b>" in rosa.last() and "para PNP, Prefectura." in rosa.last()

    async with sessions() as db:
        agreements = (await db.scalars(select(Agreement).order_by(Agreement.id).options(
            selectinload(Agreement.assignments).selectinload(Assignment.institution)))).all()
        assert await db.scalar(select(func.count()).select_from(Institution)) == 2
    assert [(a.code, a.text, [s.institution.name for s in a.assignments]) for a in agreements] == [
        ("2.1", "Patrullaje conjunto", ["PNP"]),
        ("2.2", "Ronda mixta", ["PNP", "Prefectura"]),
    ]


async def test_a_note_with_a_nul_and_invisible_characters_is_stored_clean(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)

    await carlos.send("/avance 3 60% Se remitió\x00 el oficio N.º 12\u200b3-2026\ufeff")
    assert "Anotado: <b>3</b> (PNP)" in carlos.last()
    await carlos.send("/avance 3\u200b 70% \u200b\u200d")  # a note of invisible characters is no note
    assert "Anotado: <b>3</b> (PNP)" in carlos.last()

    await carlos.send("/pendientes")
    await carlos.press("⚠️ 3")
    await carlos.send("\u200b\u200b")  # an answer of invisible characters says nothing: the reason is asked again
    assert "con dificultades" not in carlos.last()
    await carlos.send("No llega\x00 la respuesta\u00ad de la UGEL\u202e")
    assert "con dificultades" in carlos.last()

    async with sessions() as db:
        notes = (await db.scalars(select(StatusUpdate.note).order_by(StatusUpdate.id))).all()
    assert notes == ["Se remitió el oficio N.º 123-2026", "", "No llega la respuesta de la UGEL"]


async def test_nothing_is_stored_uncleaned_whatever_path_writes_it(sessions, clock):
    async with sessions.begin() as db:
        db.add(Committee(name="CODISEC\x00 Ilo\u200b", kind=CommitteeKind.CODISEC, timezone="America/Lima",
                         settings={}, created_at=clock.now()))
    async with sessions() as db:
        assert (await db.scalars(select(Committee.name))).all() == ["CODISEC Ilo"]
        # A value compared with a clean column is cleaned the same way.
        typed = "CODISEC Ilo\ufeff"
        assert await db.scalar(select(func.count()).select_from(Committee).where(Committee.name == typed)) == 1


async def test_an_acta_listing_an_article_and_a_ministry_gives_exactly_those_two(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    acta = "\n".join([
        "TERCERA SESIÓN ORDINARIA", "Fecha: 05/03/2026",
        "N°\tPROBLEMÁTICA\tACUERDO\tRESPONSABLE DE IMPLEMENTACIÓN\tRESPONSABLE DE SEGUIMIENTO",
        "01\t\tCampaña de denuncia oportuna.\tla Comisaría de Ilo y el Ministerio de la Mujer y Poblaciones "
        "Vulnerables\tSecretaría\u200b Técnica",
    ])

    await rosa.send("/importar")
    await rosa.send(acta)
    assert "Nuevas (3): Comisaría de Ilo, Ministerio de la Mujer y Poblaciones Vulnerables, Secretaría Técnica" \
        in rosa.last()
    await rosa.press("Confirmar")

    async with sessions() as db:
        agreement = await db.scalar(select(Agreement).options(
            selectinload(Agreement.assignments).selectinload(Assignment.institution)))
        assert sorted((await db.scalars(select(Institution.name))).all()) == [
            "Comisaría de Ilo", "Ministerio de la Mujer y Poblaciones Vulnerables", "Secretaría Técnica"]
    assert [a.institution.name for a in agreement.assignments] == [
        "Comisaría de Ilo", "Ministerio de la Mujer y Poblaciones Vulnerables"]


async def test_an_acta_keeps_the_committees_own_name_whole(sessions, clock, committee):
    async with sessions.begin() as db:
        await committees.add_institution(db, committee=committee, name="Gerencia de Seguridad Ciudadana y "
                                         "Fiscalización", now=clock.now(), actor="test")
    acta = "\n".join([
        "Fecha: 05/03/2026", "N°\tACUERDO\tRESPONSABLE DE IMPLEMENTACIÓN",
        "01\tPatrullaje integrado.\tPNP y Gerencia de Seguridad Ciudadana y Fiscalización",
    ])

    async with sessions() as db:
        plan = await importer.plan_import(db, committee, read_acta_text(acta))
    assert [(m.written, m.institution.name if m.institution else None) for m in plan.agreements[0].implementers] == [
        ("PNP", None), ("Gerencia de Seguridad Ciudadana y Fiscalización",
                        "Gerencia de Seguridad Ciudadana y Fiscalización")]
