"""The one table of chat commands: it drives the command menu per role, /ayuda, /help and the README."""

from __future__ import annotations

from dataclasses import dataclass

from models.entities import Role

EVERYONE = "everyone"


@dataclass(frozen=True)
class Command:
    name: str
    roles: tuple[str, ...]
    es: str
    en: str
    example: str = ""


COMMANDS: tuple[Command, ...] = (
    Command("start", (EVERYONE,), "Vincular este chat con una invitación", "Link this chat with an invitation",
            "/start AbC123"),
    Command("ayuda", (EVERYONE,), "Ver los comandos", "Show the commands (Spanish)"),
    Command("help", (EVERYONE,), "Ver los comandos en inglés", "Show the commands in English"),
    Command("instituciones", (Role.SECRETARY,), "Ver o agregar instituciones", "List or add institutions",
            "/instituciones agregar Warmi Ñan"),
    Command("invitar", (Role.SECRETARY,), "Invitar a una institución, secretaria u observador",
            "Invite an institution's focal point, a secretary or an observer", "/invitar PNP"),
    Command("sesion", (Role.SECRETARY,), "Registrar una sesión del comité", "Register a committee session",
            "/sesion ordinaria 1 25/02/2026"),
    Command("nuevo", (Role.SECRETARY,), "Registrar un acuerdo", "Register an agreement",
            "/nuevo 2.5 | La Prefectura ejecutará… | Prefectura | 24 horas"),
    Command("importar", (Role.SECRETARY,), "Importar un acta entera (archivo o texto pegado)",
            "Import a whole acta (a file or pasted text)"),
    Command("acuerdos", (Role.SECRETARY, Role.OBSERVER), "Ver los acuerdos (filtrar por institución o estado)",
            "List agreements (filter by institution or status)", "/acuerdos PNP"),
    Command("acuerdo", (Role.SECRETARY, Role.OBSERVER), "Ver el detalle de un acuerdo",
            "Show one agreement in detail", "/acuerdo 2.1"),
    Command("plazo", (Role.SECRETARY,), "Fijar o cambiar el plazo de un acuerdo", "Set or change a deadline",
            "/plazo 2.1 30 de abril"),
    Command("verificar", (Role.SECRETARY,), "Dar por cumplido lo que una institución reportó",
            "Accept a completion an institution reported", "/verificar 2.1 PNP"),
    Command("observar", (Role.SECRETARY,), "Observar un reporte de cumplimiento, con el motivo",
            "Reject a reported completion, with the reason", "/observar 2.1 PNP Falta el acta de entrega"),
    Command("anular", (Role.SECRETARY,), "Anular un acuerdo, con el motivo", "Cancel an agreement, with the reason",
            "/anular 2.1 Se acordó dejarlo sin efecto"),
    Command("resumen", (Role.SECRETARY, Role.OBSERVER), "Ver el resumen semanal y el semáforo ahora",
            "Show the weekly summary and the semáforo now"),
    Command("reporte", (Role.SECRETARY, Role.OBSERVER), "Recibir el informe de seguimiento (Excel y PDF)",
            "Get the follow-up report for the next session (Excel and PDF)"),
    Command("semaforo", (Role.SECRETARY, Role.OBSERVER), "Ver el gráfico del semáforo por institución",
            "Show the semáforo chart per institution"),
    Command("pendientes", (Role.IMPLEMENTER,), "Ver los acuerdos pendientes de tu institución",
            "Your institution's open agreements"),
    Command("avance", (Role.IMPLEMENTER,), "Reportar un avance", "Report progress",
            "/avance 2.1 60% Se remitió el oficio N° 123-2026"),
    Command("config", (Role.SECRETARY,), "Ver o cambiar horario, recordatorios, semáforo y resumen",
            "Show or change hours, reminders, semáforo and summary", "/config horario 08:00-17:00"),
    Command("reservar", (Role.SECRETARY,), "Dejar un acuerdo fuera del sitio público",
            "Keep an agreement off the public site", "/reservar 2.1"),
    Command("publicar", (Role.SECRETARY,), "Volver a mostrar un acuerdo reservado en el sitio público",
            "Show a reserved agreement on the public site again", "/publicar 2.1"),
    Command("calendario", (Role.SECRETARY, Role.IMPLEMENTER), "Recibir los plazos como calendario (.ics)",
            "Get the deadlines as a calendar file (.ics)"),
    Command("miembros", (Role.SECRETARY,), "Ver quién está vinculado al comité, con su N°",
            "List who is linked to the committee, with their number"),
    Command("revocar", (Role.SECRETARY,), "Retirar a un miembro del comité", "Take a member out of the committee",
            "/revocar 12"),
    Command("salir", (Role.SECRETARY, Role.IMPLEMENTER, Role.OBSERVER), "Dejar un comité",
            "Leave a committee"),
    Command("comite", (Role.SECRETARY, Role.OBSERVER, Role.IMPLEMENTER),
            "Elegir el comité en el que trabajas, si estás en varios",
            "Choose the committee you work in, when you are in several"),
    Command("seguir", (Role.SECRETARY, Role.OBSERVER), "Seguir un acuerdo: aviso cuando un responsable reporta",
            "Follow an agreement: a notice when a responsible reports", "/seguir 2.1"),
    Command("dejar", (Role.SECRETARY, Role.OBSERVER), "Dejar de seguir un acuerdo", "Stop following an agreement",
            "/dejar 2.1"),
    Command("ausente", (Role.IMPLEMENTER,), "Pausar tus recordatorios mientras estás fuera",
            "Pause your reminders while you are away", "/ausente hasta 15/01"),
    Command("relevo", (Role.IMPLEMENTER,), "Pasar tu lugar de punto focal a un colega",
            "Hand your focal point role over to a colleague"),
    Command("cancelar", (Role.SECRETARY, Role.IMPLEMENTER), "Salir de un registro o pregunta en curso",
            "Leave a guided registration or question"),
)


def commands_for(roles: set[str]) -> list[Command]:
    """The commands a chat with these roles can use, in table order."""
    wanted = roles | {EVERYONE}
    return [command for command in COMMANDS if wanted & set(command.roles)]


def markdown_table() -> str:
    """The README's command list, made from the same table (a test keeps the README in step)."""
    rows = ["| command | who | what it does | example |", "|---|---|---|---|"]
    for command in COMMANDS:
        who = ", ".join(sorted(command.roles))
        example = f"`{command.example}`".replace("|", "\\|") if command.example else ""
        rows.append(f"| `/{command.name}` | {who} | {command.es} | {example} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
