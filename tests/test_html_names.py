"""Names, texts and notes full of HTML characters read as people wrote them, in every answer and message.

Every value goes into a template once, escaped once: a name such as «Gerencia de Transporte & Tránsito <GTT>» must
never reach a person as «&amp;» or «&lt;GTT&gt;» (escaped twice) nor vanish as a tag (not escaped)."""

from __future__ import annotations

from bot import texts
from tests.support.scenarios import invitation_code

NAME = "Gerencia de Transporte & Tránsito <GTT>"
TEXT = "Instalar <b>cámaras</b> & semáforos en la Av. <Principal>"
NOTE = "Se envió el oficio <N.º 5> & se coordinó"
SESSION = "ordinaria 1 25/02/2026"


def link(text: str) -> str:
    return text.split("start=")[1].split()[0]


async def test_html_characters_in_names_are_read_as_written_everywhere(telegram, sessions, clock, committee, rounds):
    rosa = telegram.person("Rosa <Secretaria> & Co")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    carlos = telegram.person("Carlos & <Hijos>")
    script = [
        (rosa, f"/instituciones agregar {NAME}"),
        (rosa, f"/sesion {SESSION}"),
        (rosa, f"/nuevo 2.1 | {TEXT} | {NAME} | 30 de marzo"),
        (rosa, f"/invitar {NAME}"),
    ]
    for person, text in script:
        await person.send(text)
    await carlos.send(f"/start {link(rosa.last())}")
    script = [
        (carlos, "/pendientes"),
        (carlos, f"/avance 2.1 40% {NOTE}"),
        (rosa, "/acuerdos"),
        (rosa, "/acuerdo 2.1"),
        (rosa, f"/acuerdos {NAME}"),
        (rosa, "/plazo 2.1 15 de abril"),
        (rosa, "/acuerdo 2.1"),
        (rosa, "/instituciones"),
        (rosa, "/importar\nSESIÓN ORDINARIA N° 2\nFecha: 01/03/2026\nN°\tACUERDO\tRESPONSABLE\tSEGUIMIENTO\n"
               f"3.1\t{TEXT}\t{NAME}\tFiscalía <Provincial> & Co"),
        (rosa, "/miembros"),
        (rosa, "/resumen"),
        (rosa, "/semaforo"),
        (carlos, "/avance 2.1 100% Listo & <hecho>"),
        (rosa, f"/observar 2.1 {NAME} Falta el <acta> & la foto"),
        (carlos, "/pendientes"),
    ]
    for person, text in script:
        await person.send(text)
    clock.advance(days=40)
    await rounds.run()
    faults = []
    for call in telegram.api.sent():
        for key in ("text", "caption"):
            shown = texts.plain(str(call.params.get(key) or ""))
            if any(entity in shown for entity in ("&amp;", "&lt;", "&gt;", "&quot;")):
                faults.append(f"{call.method}: {shown[:300]!r}")
    assert faults == [], "\n".join(faults)
    everything = "\n".join(texts.plain(str(c.params.get("text") or "")) for c in telegram.api.sent())
    for written in (NAME, TEXT, NOTE, "Carlos & <Hijos>"):
        assert written in everything, written

