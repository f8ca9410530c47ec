"""Every sentence the bot says, in one catalogue of named templates (HTML; values are escaped by `t`)."""

from __future__ import annotations

from html import escape

START = (
    "👋 Soy <b>Acuerdos</b>, el bot que hace seguimiento a los acuerdos de los comités de seguridad "
    "ciudadana (CONASEC, CORESEC, COPROSEC, CODISEC).\n\n"
    "Recuerdo a cada institución responsable sus acuerdos pendientes, recibo sus avances y doy a la "
    "Secretaría Técnica el semáforo de cumplimiento.\n\n"
    "Para empezar necesitas un <b>enlace de invitación</b>: pídelo a la Secretaría Técnica de tu comité."
)
INVITATION_UNKNOWN = (
    "❌ Ese código de invitación no existe. Abre el enlace completo que te enviaron, por ejemplo "
    "<code>https://t.me/{bot}?start=AbC123…</code>, o pide uno nuevo a la Secretaría Técnica."
)
INVITATION_EXPIRED = "⌛ Esa invitación venció el {date}. Pide un enlace nuevo a la Secretaría Técnica."
INVITATION_USED = "❌ Esa invitación ya fue usada. Cada enlace sirve una sola vez: pide uno nuevo a la Secretaría Técnica."
LINKED_SECRETARY = (
    "✅ Quedaste registrado como <b>Secretaría Técnica</b> de <b>{committee}</b>.\n\n"
    "Siguientes pasos:\n"
    "1. <code>/instituciones agregar PNP</code> — registra las instituciones.\n"
    "2. <code>/sesion ordinaria 1 25/02/2026</code> — registra la sesión.\n"
    "3. <code>/nuevo</code> — registra un acuerdo.\n"
    "4. <code>/invitar PNP</code> — invita al punto focal de cada institución.\n\n"
    "Escribe /ayuda para ver todos los comandos."
)
LINKED_OBSERVER = "✅ Quedaste registrado como <b>observador</b> de <b>{committee}</b>. Usa /acuerdos para ver sus acuerdos."
LINKED_IMPLEMENTER = (
    "✅ Este chat quedó registrado como punto focal de <b>{institution}</b> ante <b>{committee}</b>.\n\n"
    "Aquí recibirán los recordatorios de sus acuerdos pendientes."
)
ALREADY_LINKED = "ℹ️ Este chat ya estaba registrado así en <b>{committee}</b>. No cambié nada."

NOT_SECRETARY = (
    "⛔ Solo la Secretaría Técnica del comité puede usar {command}.\n"
    "Si eres la Secretaría Técnica, abre el enlace de invitación que te dio el administrador del bot."
)
NOT_MEMBER = "⛔ Este chat no pertenece a ningún comité. Abre el enlace de invitación que te enviaron."
GROUP_ONLY_PRIVATE = "ℹ️ Escríbeme por chat privado para usar {command}."

INSTITUTIONS_HEADER = "🏛 <b>Instituciones de {committee}</b> ({count})"
INSTITUTIONS_LINE = "• {name}{focal}"
INSTITUTIONS_FOCAL = " — {count} punto(s) focal(es)"
INSTITUTIONS_EMPTY = "Aún no hay instituciones en <b>{committee}</b>.\nAgrega una: <code>/instituciones agregar Warmi Ñan</code>"
INSTITUTIONS_FOOTER = "\nAgregar: <code>/instituciones agregar Warmi Ñan</code>\nInvitar: <code>/invitar PNP</code>"
INSTITUTION_ADDED = "✅ Agregué <b>{name}</b> a las instituciones de {committee}.\nInvita a su punto focal: <code>/invitar {name}</code>"
INSTITUTION_EXISTS = "ℹ️ <b>{name}</b> ya está registrada (como «{existing}»). No cambié nada."
INSTITUTIONS_USAGE = "Uso: <code>/instituciones</code> para ver la lista, o <code>/instituciones agregar Warmi Ñan</code>."
INSTITUTION_NAME_TOO_LONG = "❌ El nombre es demasiado largo (máximo {max} caracteres)."
INSTITUTION_UNKNOWN = (
    "❌ No encuentro la institución «{name}» en {committee}.\n"
    "Registradas: {known}\nAgrégala con <code>/instituciones agregar {name}</code>"
)

INVITE_USAGE = (
    "Uso: <code>/invitar PNP</code> para el punto focal de una institución,\n"
    "o <code>/invitar secretaria</code> / <code>/invitar observador</code>."
)
INVITE_LINK = (
    "🔗 Invitación para {whom} de <b>{committee}</b>:\n{link}\n\n"
    "Envíala a esa persona (o ábrela en el grupo de la institución). Sirve una sola vez y vence el {expires}."
)

SESSION_USAGE = (
    "Uso: <code>/sesion ordinaria 1 25/02/2026</code>\n"
    "(tipo: ordinaria o extraordinaria; número; fecha dd/mm/aaaa, «hoy» o «ayer»)"
)
SESSION_REGISTERED = "✅ Registré la <b>{session}</b> de {committee}.\nAhora registra sus acuerdos con /nuevo o /importar."
SESSION_EXISTS = "ℹ️ La {session} ya estaba registrada. No cambié nada."
NO_SESSION = "❌ {committee} no tiene sesiones registradas. Primero: <code>/sesion ordinaria 1 25/02/2026</code>"
NO_INSTITUTIONS = "❌ {committee} no tiene instituciones. Primero: <code>/instituciones agregar PNP</code>"

NEW_USAGE = (
    "Uso: <code>/nuevo</code> y te pregunto paso a paso, o en una línea:\n"
    "<code>/nuevo 2.5 | La Prefectura ejecutará mecanismos de garantías | Prefectura | 24 horas</code>\n"
    "(código | acuerdo | instituciones separadas por comas | plazo o «sin plazo»)"
)
NEW_ASK_SESSION = "📋 ¿De qué sesión es el acuerdo?"
NEW_ASK_CODE = "📋 Acuerdo de la {session}.\n¿Cuál es su <b>código</b>? Por ejemplo: <code>2.1</code>\n(/cancelar para salir)"
NEW_BAD_CODE = "❌ «{code}» no es un código de acuerdo. Usa números separados por puntos, por ejemplo <code>01</code> o <code>2.1</code>."
NEW_CODE_EXISTS = "❌ Ya existe el acuerdo <b>{code}</b> en la {session}. Usa otro código, o mira el existente con <code>/acuerdo {code}</code>."
NEW_ASK_TEXT = "✍️ Escribe el <b>texto del acuerdo</b> {code}."
NEW_TEXT_TOO_LONG = "❌ El texto es demasiado largo ({length} caracteres; máximo {max}). Resúmelo, por favor."
NEW_ASK_INSTITUTIONS = "🏛 Marca las <b>instituciones responsables</b> y pulsa «Listo»."
NEW_NEED_INSTITUTION = "Marca al menos una institución."
NEW_ASK_DEADLINE = (
    "📅 ¿Cuál es el <b>plazo</b>? Escríbelo en palabras, contado desde la sesión del {session_date}:\n"
    "«30 de abril», «en dos semanas», «dentro de 24 horas», «15 días hábiles», «la siguiente sesión»… "
    "o pulsa «Sin plazo»."
)
NEW_BAD_DEADLINE = (
    "❌ No entendí el plazo «{text}». Prueba con «30 de abril», «en dos semanas», «dentro de 24 horas» o "
    "«30/04/2026», o escribe «sin plazo»."
)
DEADLINE_BEFORE_SESSION = "❌ El plazo {deadline} es anterior a la sesión ({session_date}). Revisa la fecha, por ejemplo «30/04/2026»."
NEW_SUMMARY = (
    "📝 <b>Revisa el acuerdo</b>\n"
    "Sesión: {session}\nCódigo: <b>{code}</b>\nAcuerdo: {text}\nResponsables: {institutions}\nPlazo: {deadline}\n\n"
    "¿Lo registro?"
)
NEW_SAVED = "✅ Registré el acuerdo <b>{code}</b> ({session}) para {institutions}. Plazo: {deadline}."
NEW_CANCELLED = "Listo, no registré nada."
NEW_EXPIRED = "Ese paso ya no está activo. Empieza de nuevo con /nuevo."

NO_DEADLINE = "sin plazo"
NEXT_SESSION = "la siguiente sesión"

AGREEMENTS_HEADER = "📋 <b>Acuerdos de {committee}</b>{filters} — {count} en total"
AGREEMENTS_FILTER_INSTITUTION = " · {institution}"
AGREEMENTS_FILTER_STATUS = " · {status}"
AGREEMENTS_LINE = "<b>{code}</b> ({session}) {text}\n   📅 {deadline} · {assignments}"
AGREEMENTS_EMPTY = "No hay acuerdos{filters}. Registra uno con /nuevo."
AGREEMENTS_PAGE = "Página {page} de {pages}"
AGREEMENTS_USAGE = (
    "Uso: <code>/acuerdos</code>, <code>/acuerdos PNP</code> o <code>/acuerdos pendiente</code> "
    "(estados: {statuses})."
)

AGREEMENT_USAGE = "Uso: <code>/acuerdo 2.1</code>"
AGREEMENT_NOT_FOUND = "❌ No encuentro el acuerdo <b>{code}</b> en {committee}. Mira la lista con /acuerdos."
AGREEMENT_DETAIL = (
    "📄 <b>Acuerdo {code}</b> — {session}\n{text}\n\n"
    "📅 Plazo: {deadline}\n👁 Seguimiento: {followup}\n\n<b>Responsables</b>\n{assignments}"
)
AGREEMENT_PROBLEM = "\n\n<i>Problemática:</i> {problem}"
AGREEMENT_ASSIGNMENT = "• {institution}: {status}{percent}{last}"
AGREEMENT_HISTORY_HEADER = "\n<b>Historial del plazo</b>"
AGREEMENT_HISTORY_LINE = "• {when}: {old} → {new} ({who})"

DEADLINE_USAGE = "Uso: <code>/plazo 2.1 30 de abril</code> (o «en dos semanas», «30/04/2026», «sin plazo»)."
DEADLINE_CHANGED = "✅ Plazo del acuerdo <b>{code}</b>: {old} → <b>{new}</b>."
DEADLINE_UNCHANGED = "ℹ️ El acuerdo <b>{code}</b> ya tenía ese plazo ({new}). No cambié nada."

HELP_HEADER = "<b>Comandos de Acuerdos</b>"
HELP_HEADER_EN = "<b>Acuerdos commands</b>"
HELP_ROLE = {"secretary": "Secretaría Técnica", "implementer": "Instituciones", "observer": "Observadores",
             "everyone": "Todos"}
HELP_ROLE_EN = {"secretary": "Technical secretariat", "implementer": "Institutions", "observer": "Observers",
                "everyone": "Everyone"}

ERROR = (
    "⚠️ Algo salió mal al procesar tu mensaje. Si era un registro, revisa con /acuerdos si quedó guardado "
    "antes de repetirlo; si se repite, avisa a la Secretaría Técnica."
)
UNKNOWN_COMMAND = "No conozco ese comando. Escribe /ayuda para ver los comandos."
CANCELLED = "Listo, cancelado."

STATUS = {
    "pendiente": "pendiente", "en_proceso": "en proceso", "con_dificultades": "con dificultades",
    "reportado": "reportado", "observado": "observado", "cumplido": "cumplido", "anulado": "anulado",
}
SESSION_NAME = "sesión {kind} N° {number} del {date}"
BUTTON_CONFIRM = "✅ Confirmar"
BUTTON_CANCEL = "✖️ Cancelar"
BUTTON_DONE = "Listo ➡️"
BUTTON_NO_DEADLINE = "Sin plazo"
BUTTON_PREVIOUS = "◀️ Anterior"
BUTTON_NEXT = "Siguiente ▶️"


def t(template: str, **values: object) -> str:
    """Fill a template, escaping every value for Telegram's HTML parse mode."""
    return template.format(**{key: escape(str(value), quote=False) for key, value in values.items()})
