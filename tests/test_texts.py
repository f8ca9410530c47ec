"""The catalogue's filling: `t` escapes for Telegram's HTML, `plain` gives the same words where no HTML is read."""

from bot import texts

NAME = "Warmi Ñan & Co"


def test_a_name_is_escaped_in_html():
    message = texts.t(texts.INSTITUTION_ADDED, name=NAME, committee="CODISEC <Ilo>")
    assert message.startswith("✅ Agregué <b>Warmi Ñan &amp; Co</b> a las instituciones de CODISEC &lt;Ilo&gt;.")
    assert "<code>/invitar Warmi Ñan &amp; Co</code>" in message


def test_a_name_reads_as_written_in_plain_text():
    label = texts.plain(texts.t(texts.BUTTON_VERIFY, code="2.1", institution=NAME))
    assert label == "✅ Verificar 2.1 · Warmi Ñan & Co"
    assert texts.plain(texts.t(texts.IMPORT_LINE, text="a <b>c</b> & d")) == "• a <b>c</b> & d"


def test_a_filled_template_goes_into_another_escaped_once():
    filters = texts.t(texts.AGREEMENTS_FILTER_INSTITUTION, institution=NAME)
    message = texts.t(texts.AGREEMENTS_HEADER, committee=NAME, filters=filters, count=3)
    assert message == "📋 <b>Acuerdos de Warmi Ñan &amp; Co</b> · Warmi Ñan &amp; Co — 3 en total"
    joined = texts.Html("\n".join([filters, filters]))
    assert texts.t(texts.IMPORT_LINE, text=joined).count("&amp;amp;") == 0
