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


# Progress reports
PENDING_HEADER = "📌 <b>Pendientes de {institutions}</b> ({count})"
PENDING_LINE = "{light} <b>{code}</b> {text}\n   📅 {deadline} · {status}{percent}"
PENDING_EMPTY = "✅ No tienen acuerdos pendientes. ¡Bien!"
PENDING_FOOTER = "Toca un botón para reportar, o escribe <code>/avance 2.1 60% Se remitió el oficio N° 123-2026</code>."
PENDING_MORE = "… y {count} más."
NOT_IMPLEMENTER = (
    "⛔ Este chat no es punto focal de ninguna institución. Abre el enlace de invitación que te envió "
    "la Secretaría Técnica."
)
PROGRESS_USAGE = "Uso: <code>/avance 2.1 60% Se remitió el oficio N° 123-2026</code> (código, porcentaje opcional, nota)."
PROGRESS_NOT_FOUND = "❌ No tienen un acuerdo pendiente con el código <b>{code}</b>. Mira sus pendientes con /pendientes."
PROGRESS_CHOOSE = "¿A cuál se refiere el avance?"
PROGRESS_SAVED = "✅ Anotado: <b>{code}</b> ({institution}) — {status}{percent}."
ASK_NOTE = "⏳ <b>{code}</b> ({institution}): ¿algún comentario sobre el avance? Escríbelo, o toca «Sin comentario»."
ASK_DIFFICULTY = "⚠️ <b>{code}</b> ({institution}): ¿qué dificultad tienen? Escríbela en un mensaje."
ASK_EVIDENCE = (
    "✅ <b>{code}</b> ({institution}): envía la <b>evidencia</b> del cumplimiento: un archivo (PDF, foto) "
    "o el número de oficio, por ejemplo «Oficio N° 123-2026-GRM»."
)
ASK_DONE = "📎 Recibí «{name}» para <b>{code}</b> ({institution}). ¿Con esto el acuerdo queda cumplido?"
ASK_REASON = "↩️ <b>{code}</b> ({institution}): escribe el motivo de la observación."
NEEDS_EVIDENCE = "❌ Para reportarlo cumplido necesito un archivo o un número de oficio, por ejemplo «Oficio N° 123-2026»."
NEEDS_NOTE = "❌ Escribe el motivo en el mensaje."
BAD_PERCENT = "❌ El porcentaje va de 0% a 100%. Ejemplo: <code>/avance 2.1 60% Se remitió el oficio</code>"
LOWER_PERCENT = (
    "❌ El último avance fue {last}%. Para bajar el porcentaje explica por qué, por ejemplo: "
    "<code>/avance {code} 40% Se anuló la licitación</code>"
)
ALREADY_CLOSED = "ℹ️ El acuerdo <b>{code}</b> ({institution}) ya está {status}. No cambié nada."
NOT_ALLOWED_NOW = "ℹ️ El acuerdo <b>{code}</b> ({institution}) está {status}; eso no se puede hacer ahora."
ALREADY_RECORDED = "Eso ya quedó registrado."
NOT_YOURS = "⛔ Ese acuerdo no es de tu institución."
FILE_TOO_BIG = "❌ El archivo pesa más de 20 MB y Telegram no me deja descargarlo. Envía uno más liviano o el número de oficio."
REPORTED_DONE = "✅ Reportado como cumplido: <b>{code}</b> ({institution}). La Secretaría Técnica lo verificará."
NOTED_PROGRESS = "Anotado como avance."
NOTHING_PENDING_HERE = "No esperaba un mensaje. Usa /pendientes o responde a un recordatorio."
BUTTON_YES_DONE = "✅ Sí, está cumplido"
BUTTON_NO_PROGRESS = "⏳ No, es un avance"
BUTTON_NO_NOTE = "Sin comentario"
BUTTON_VERIFY = "✅ Verificar {code} · {institution}"
BUTTON_OBSERVE = "↩️ Observar {code} · {institution}"
NOTICE_HEADER = "📬 <b>Novedades de {committee}</b>"
NOTICE_REPORTED = "✅ <b>{code}</b> · {institution} reporta <b>cumplido</b> ({who}, {when}): {note}{evidence}"
NOTICE_DIFFICULTY = "⚠️ <b>{code}</b> · {institution} tiene <b>dificultades</b> ({who}, {when}): {note}"
NOTICE_FOOTER = "Verifica con los botones o con <code>/verificar {code} {institution}</code>."
VERIFY_USAGE = "Uso: <code>/verificar 2.1 PNP</code>"
OBSERVE_USAGE = "Uso: <code>/observar 2.1 PNP La evidencia no corresponde al acuerdo</code>"
CANCEL_USAGE = "Uso: <code>/anular 2.1 Se acordó en sesión dejarlo sin efecto</code>"
ASSIGNMENT_NOT_FOUND = "❌ El acuerdo <b>{code}</b> no tiene a «{institution}» como responsable. Responsables: {known}."
VERIFIED = "✅ Verificado: <b>{code}</b> · {institution} queda <b>cumplido</b>."
AGREEMENT_DONE = "\n🎉 Con esto el acuerdo <b>{code}</b> está cumplido por todos sus responsables."
OBSERVED = "↩️ Observado: <b>{code}</b> · {institution} vuelve a «en proceso». Les envié el motivo."
CANCELLED_AGREEMENT = "🚫 Anulé el acuerdo <b>{code}</b> ({count} responsable(s)). Motivo: {reason}"
TOLD_VERIFIED = "✅ La Secretaría Técnica de {committee} verificó el acuerdo <b>{code}</b>: queda <b>cumplido</b>. ¡Gracias!"
TOLD_OBSERVED = (
    "↩️ La Secretaría Técnica de {committee} observó el reporte del acuerdo <b>{code}</b>: {reason}\n"
    "Sigue «en proceso». Cuando lo subsanen, repórtenlo de nuevo con /pendientes."
)
TOLD_CANCELLED = "🚫 La Secretaría Técnica de {committee} anuló el acuerdo <b>{code}</b>: {reason}. Ya no recibirán recordatorios."
HISTORY_HEADER = "\n<b>Historial</b>"
HISTORY_LINE = "• {when} · {institution} · {who}: {status}{percent}{note}{evidence}"

def t(template: str, **values: object) -> str:
    """Fill a template, escaping every value for Telegram's HTML parse mode."""
    return template.format(**{key: escape(str(value), quote=False) for key, value in values.items()})


def plain(html_text: str) -> str:
    """The same message without tags, for places that show plain text (a button's pop-up answer)."""
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html_text))
