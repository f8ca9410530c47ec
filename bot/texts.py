"""Every sentence the bot says, in one catalogue of named templates (HTML; values are escaped by `t`)."""

from __future__ import annotations

import re
from html import escape, unescape

from models import semaforo

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
    "Aquí recibirás los recordatorios de sus acuerdos pendientes."
)
ALREADY_LINKED = "ℹ️ Este chat ya estaba registrado así en <b>{committee}</b>. No cambié nada."

NOT_SECRETARY = (
    "⛔ Solo la Secretaría Técnica del comité puede usar {command}.\n"
    "Si eres la Secretaría Técnica, abre el enlace de invitación que te dio el administrador del bot."
)
NOT_MEMBER = "⛔ Este chat no pertenece a ningún comité. Abre el enlace de invitación que te enviaron."
ACTING_IN = "🏛 <b>{committee}</b>"
CHOOSE_COMMITTEE = ("🏛 Estás en varios comités. ¿En cuál trabajas ahora? Toca uno y vuelve a enviar "
                    "<code>{command}</code>. Para cambiar después: /comite")
COMMITTEE_CHOSEN = "✅ Ahora trabajas en <b>{committee}</b>. Vuelve a enviar <code>{command}</code>."
COMMITTEE_CHOSEN_NO_COMMAND = "✅ Ahora trabajas en <b>{committee}</b>."
COMMITTEE_ONLY_ONE = "🏛 Este chat trabaja en un solo comité: <b>{committee}</b>."

INSTITUTIONS_HEADER = "🏛 <b>Instituciones de {committee}</b> ({count})"
INSTITUTIONS_LINE = "• {name}{focal}"
INSTITUTIONS_FOCAL = " — {count} punto(s) focal(es)"
INSTITUTIONS_EMPTY = "Aún no hay instituciones en <b>{committee}</b>.\nAgrega una: <code>/instituciones agregar Warmi Ñan</code>"
INSTITUTIONS_FOOTER = "\nAgregar: <code>/instituciones agregar Warmi Ñan</code>\nInvitar: <code>/invitar PNP</code>"
INSTITUTION_ADDED = "✅ Agregué <b>{name}</b> a las instituciones de {committee}.\nInvita a su punto focal: <code>/invitar {name}</code>"
INSTITUTION_EXISTS = "ℹ️ <b>{name}</b> ya está registrada (como «{existing}»). No cambié nada."
INSTITUTIONS_USAGE = "Uso: <code>/instituciones</code> para ver la lista, o <code>/instituciones agregar Warmi Ñan</code>."
INSTITUTION_NAME_WITHOUT_LETTERS = ("❌ «{name}» no es un nombre de institución. Escribe su nombre, por ejemplo: "
                                    "<code>/instituciones agregar Warmi Ñan</code>")
IMPORT_BAD_CODE = ("El acuerdo {code} tiene un código que no se puede registrar: hasta tres cifras por nivel, "
                   "como 2.1 o 12.3.")
INSTITUTION_NAME_TOO_LONG = "❌ El nombre es demasiado largo (máximo {max} caracteres)."
INSTITUTION_UNKNOWN = (
    "❌ No encuentro la institución «{name}» en {committee}.\n"
    "Registradas: {known}\nAgrégala con <code>/instituciones agregar {name}</code>"
)

INVITE_USAGE = (
    "Uso: <code>/invitar PNP</code> para el punto focal de una institución,\n"
    "o <code>/invitar secretaria</code> / <code>/invitar observador</code>."
)
INVITE_LINK = "🔗 Invitación para {whom} de <b>{committee}</b>:\n{link}\n\n{how} Sirve una sola vez y vence el {expires}."
INVITE_WHOM = {"secretary": "la Secretaría Técnica", "observer": "un observador", "implementer": "el punto focal de {name}"}
INVITE_HOW = {"secretary": "Envíala a esa persona.", "observer": "Envíala a esa persona.",
              "implementer": "Envíala a esa persona, o ábrela en el grupo de la institución."}

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
    "«30 de abril», «el viernes», «en dos semanas», «15 días hábiles», «la siguiente sesión»… "
    "o pulsa «Sin plazo»."
)
NEW_BAD_DEADLINE = (
    "❌ No entendí el plazo «{text}». Prueba con «30 de abril», «el viernes», «en dos semanas» o "
    "«30/04/2026», o escribe «sin plazo»."
)
DEADLINE_TOO_LATE = ("❌ El plazo {deadline} es más de diez años después de la sesión ({session_date}): debe ser "
                     "hasta el {latest}. Revisa la fecha, por ejemplo «30/04/2026».")
SESSION_DATE_OUT_OF_RANGE = ("❌ La fecha {date} no es posible para una sesión: debe estar entre el 01/01/2000 y el "
                             "{latest}. Ejemplo: <code>/sesion ordinaria 1 25/02/2026</code>")
IMPORT_DEADLINE_TOO_LATE = "• {code}: el plazo {deadline} es más de diez años después de la sesión; queda sin plazo."
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
DEADLINE_DAYS_LEFT = "{date} (faltan {days} días)"
DEADLINE_TOMORROW = "{date} (mañana)"
DEADLINE_TODAY = "{date} (hoy)"
DEADLINE_OVERDUE_DAY = "{date} (vencido hace 1 día)"
DEADLINE_OVERDUE_DAYS = "{date} (vencido hace {days} días)"

AGREEMENTS_HEADER = "📋 <b>Acuerdos de {committee}</b>{filters} — {count} en total"
AGREEMENTS_FILTER_INSTITUTION = " · {institution}"
AGREEMENTS_FILTER_STATUS = " · {status}"
AGREEMENTS_LINE = "<b>{code}</b> ({session}) {text}\n   📅 {deadline} · {assignments}"
AGREEMENTS_EMPTY = "No hay acuerdos{filters}. Registra uno con /nuevo."
AGREEMENTS_PAGE = "Página {page} de {pages}"

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
AUTHOR_NAMED = "{name}, {role}"
AUTHOR_OPERATOR = "el operador"
AUTHOR_UNKNOWN = "alguien"

DEADLINE_USAGE = "Uso: <code>/plazo 2.1 30 de abril</code> (o «en dos semanas», «30/04/2026», «sin plazo»)."
DEADLINE_CHANGED = "✅ Plazo del acuerdo <b>{code}</b>: {old} → <b>{new}</b>."
DEADLINE_UNCHANGED = "ℹ️ El acuerdo <b>{code}</b> ya tenía ese plazo ({new}). No cambié nada."

HELP_HEADER = "<b>Comandos de Acuerdos</b>"
HELP_HEADER_EN = "<b>Acuerdos commands</b>"
HELP_ROLE = {"secretary": "Secretaría Técnica", "implementer": "Instituciones", "observer": "Observadores",
             "everyone": "Todos"}
HELP_ROLE_EN = {"secretary": "Technical secretariat", "implementer": "Institutions", "observer": "Observers",
                "everyone": "Everyone"}
HELP_ROLE_LINE = "\n<b>{role}</b>"
HELP_COMMAND = "/{name} — {description}{example}"
HELP_EXAMPLE = "\n   <code>{example}</code>"

BUTTON_INVALID = ("⛔ Ese botón ya no es válido. Pide la lista de nuevo (por ejemplo, /pendientes o /acuerdos) y usa "
                  "sus botones.")
ERROR = "⚠️ Algo salió mal al procesar tu mensaje."
# What to check after the generic error, by what the person may use: never a command that would refuse them.
ERROR_CHECK = {
    "secretary": " Si era un registro, revisa con /acuerdos si quedó guardado antes de repetirlo; si se repite, avisa "
                 "al administrador del bot.",
    "observer": " Vuelve a intentarlo en un momento; si se repite, avisa a la Secretaría Técnica.",
    "implementer": " Si era un avance, revisa con /pendientes si quedó anotado antes de repetirlo; si se repite, "
                   "avisa a la Secretaría Técnica.",
    "none": " Vuelve a intentarlo en un momento.",
}
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
PENDING_EMPTY = "✅ No tienes acuerdos pendientes. ¡Bien!"
PENDING_FOOTER = "Toca un botón para reportar, o escribe <code>/avance 2.1 60% Se remitió el oficio N° 123-2026</code>."
PENDING_MORE = "… y {count} más."
NOT_IMPLEMENTER = (
    "⛔ Este chat no es punto focal de ninguna institución. Abre el enlace de invitación que te envió "
    "la Secretaría Técnica."
)
EDITED_PROGRESS = ("✏️ Editar el mensaje no cambia el avance registrado. Para corregirlo, envía uno nuevo, por "
                   "ejemplo: <code>/avance 2.1 70% Corrijo: se remitieron dos oficios</code>")
PROGRESS_USAGE = "Uso: <code>/avance 2.1 60% Se remitió el oficio N° 123-2026</code> (código, porcentaje opcional, nota)."
PROGRESS_NOT_FOUND = "❌ No tienes un acuerdo pendiente con el código <b>{code}</b>. Mira tus pendientes con /pendientes."
PROGRESS_CHOOSE = "¿A cuál se refiere el avance?"
PROGRESS_SAVED = "✅ Anotado: <b>{code}</b> ({institution}) — {status}{percent}."
PROGRESS_FULL = "\n¿Ya está cumplido? Toca ✅ y envía la evidencia (un archivo o el número de oficio)."
ASK_NOTE = "⏳ <b>{code}</b> ({institution}): ¿algún comentario sobre el avance? Escríbelo, o toca «Sin comentario»."
ASK_DIFFICULTY = "⚠️ <b>{code}</b> ({institution}): ¿qué dificultad tienes? Escríbela."
ASK_EVIDENCE = (
    "✅ <b>{code}</b> ({institution}): envía la <b>evidencia</b> del cumplimiento: un archivo (PDF, foto) "
    "o el número de oficio, por ejemplo «Oficio N° 123-2026-GRM»."
)
ASK_DONE = "📎 Recibí «{name}» para <b>{code}</b> ({institution}). ¿Con esto el acuerdo queda cumplido?"
ASK_REASON = "↩️ <b>{code}</b> ({institution}): escribe el motivo de la observación."
EVIDENCE_NOTE = "Evidencia: {files}"  # the note of a completion whose evidence came in an earlier message
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
NOTHING_PENDING_HERE = {
    "implementer": "No esperaba un mensaje. Usa /pendientes o responde a un recordatorio.",
    "secretary": "No esperaba un mensaje. Usa /acuerdos para ver los acuerdos, o /ayuda para ver tus comandos.",
    "observer": "No esperaba un mensaje. Usa /acuerdos o /resumen, o /ayuda para ver tus comandos.",
    "none": "No esperaba un mensaje. Este chat no pertenece a ningún comité: abre el enlace de invitación que te "
            "enviaron.",
}
# A question the bot asked, answered too late or once the link that allowed it is gone (bot/waiting.py).
WAIT_EXPIRED = "⌛ La pregunta venció (espero la respuesta 30 minutos) y no anoté nada. {again}"
WAIT_AGAIN_REASON = (
    "Vuelve a tocar ↩️ Observar en la notificación o escribe "
    "<code>/observar {code} {institution} Falta el acta de entrega</code> con tu motivo."
)
WAIT_AGAIN_NOTE = (
    "Vuelve a tocar ⏳ {code} en /pendientes o escribe <code>/avance {code} 60% Se remitió el oficio</code>."
)
WAIT_AGAIN_DIFFICULTY = "Vuelve a tocar ⚠️ {code} en /pendientes y escribe la dificultad."
WAIT_AGAIN_EVIDENCE = "Vuelve a tocar ✅ {code} en /pendientes y envía la evidencia (un archivo o el número de oficio)."
WAIT_AGAIN_NEW = "Escribe /nuevo para registrar el acuerdo desde el principio."
WAIT_AGAIN_IMPORT = "Escribe /importar y envíame el acta otra vez."
WAIT_UNLINKED = (
    "⛔ Ya no puedo tomar esa respuesta: este chat ya no tiene el vínculo con <b>{committee}</b> con el que "
    "te pregunté. No anoté nada."
)
NEW_USE_BUTTONS = "Toca un botón del último mensaje, o escribe /cancelar para salir."
# A question asked in a group (handlers/answers.py): Telegram gives the bot only the replies to its messages there.
GROUP_PERSON = '<a href="tg://user?id={id}">{name}</a>'
GROUP_ANSWER = "↩️ {person}: <b>responde a este mensaje</b> (en un grupo solo leo las respuestas a mis mensajes)."
GROUP_ANSWER_TYPED = (
    "↩️ {person}: para escribirlo, <b>responde a este mensaje</b> (en un grupo solo leo las respuestas a mis "
    "mensajes)."
)
GROUP_ANSWER_PLACEHOLDER = "Tu respuesta"
BUTTON_REPORT_DONE = "✅ Reportar cumplido"
BUTTON_YES_DONE = "✅ Sí, está cumplido"
BUTTON_NO_PROGRESS = "⏳ No, es un avance"
BUTTON_NO_NOTE = "Sin comentario"
BUTTON_VERIFY = "✅ Verificar {code} · {institution}"
BUTTON_OBSERVE = "↩️ Observar {code} · {institution}"
NOTICE_HEADER = "📬 <b>Novedades de {committee}</b>"
NOTICE_REPORTED = "✅ <b>{code}</b> · {institution} reporta <b>cumplido</b> ({who}, {when}): {note}{evidence}"
NOTICE_DIFFICULTY = "⚠️ <b>{code}</b> · {institution} tiene <b>dificultades</b> ({who}, {when}): {note}"
NOTICE_EVENTS = {
    "handover": "🔁 <b>{institution}</b>: {new} recibió el relevo de {old} como punto focal. Los recordatorios "
                "pendientes ahora le llegan a {new}.",
    "away_alone": "🏖 <b>{institution}</b>: {contact} estará ausente hasta el {until} y nadie más recibe sus "
                  "recordatorios. Invita a otro punto focal con <code>/invitar {institution}</code>.",
}
HANDOVER_LINK = (
    "🔁 Enlace de relevo para el nuevo punto focal de <b>{institution}</b> ante <b>{committee}</b>:\n{link}\n\n"
    "Envíalo a tu colega. Cuando lo abra, dejarás de recibir los recordatorios y le llegarán a esa persona; la "
    "Secretaría Técnica recibirá el aviso. Sirve una sola vez y vence el {expires}."
)
HANDOVER_GROUP = ("ℹ️ Un grupo no necesita relevo: quien entra al grupo ya recibe los recordatorios. Para dejar tu "
                  "lugar como persona, escribe <code>/relevo</code> en tu chat privado conmigo.")
AWAY_USAGE = ("Uso: <code>/ausente hasta 15/01</code> (hasta 90 días) para no recibir recordatorios mientras estás "
              "fuera, o <code>/ausente fin</code> si ya volviste.")
AWAY_PAST = "❌ Esa fecha ya pasó. Escribe el último día que estarás fuera, por ejemplo <code>/ausente hasta 15/01</code>."
AWAY_FAR = ("❌ Una ausencia dura como máximo 90 días. Si dejas el cargo, pasa el lugar a un colega con "
            "<code>/relevo</code>.")
AWAY_SET = ("🏖 Listo: no te enviaré recordatorios hasta el {until}, inclusive. Los demás puntos focales de tu "
            "institución los siguen recibiendo. Si vuelves antes: <code>/ausente fin</code>")
AWAY_BACK = "👋 Bienvenido de vuelta: desde ahora vuelves a recibir tus recordatorios."
AWAY_ALONE = ("\n⚠️ Nadie más recibe los recordatorios de {institutions}: le avisé a la Secretaría Técnica.")
AWAY_GROUP = ("ℹ️ Un grupo no se ausenta: quien esté en el grupo recibe los recordatorios. Para tu ausencia, "
              "escribe <code>/ausente hasta 15/01</code> en tu chat privado conmigo.")
FOLLOW_USAGE = "Uso: <code>/seguir 2.1</code> para recibir un aviso cada vez que un responsable reporte."
UNFOLLOW_USAGE = "Uso: <code>/dejar 2.1</code> para dejar de seguir un acuerdo."
FOLLOW_NOT_FOUND = "❌ No encuentro el acuerdo <b>{code}</b> en tus comités. Míralos con /acuerdos, por ejemplo <code>/seguir 2.1</code>."
FOLLOW_CHOOSE = "🏛 El acuerdo <b>{code}</b> está en varios de tus comités. ¿Cuál?"
FOLLOWING_STARTED = ("👁 Sigues el acuerdo <b>{code}</b> de {committee}: te avisaré cuando un responsable reporte. "
                     "Para dejarlo: <code>/dejar {code}</code>")
FOLLOWING_ALREADY = "ℹ️ Ya seguías el acuerdo <b>{code}</b> de {committee}. No cambié nada."
FOLLOWING_ENDED = "✅ Dejaste de seguir el acuerdo <b>{code}</b> de {committee}."
FOLLOWING_NOT = "ℹ️ No seguías el acuerdo <b>{code}</b> de {committee}. No cambié nada."
FOLLOWING_HEADER = "👁 <b>Novedades de los acuerdos que sigues</b> — {committee}"
FOLLOWING_LINE = "• <b>{code}</b> · {institution}: {status}{percent} ({who}, {when}){note}"
NOTICE_FOOTER = "Verifica con los botones o con <code>/verificar {code} {institution}</code>."
VERIFY_USAGE = "Uso: <code>/verificar 2.1 PNP</code>"
OBSERVE_USAGE = "Uso: <code>/observar 2.1 PNP La evidencia no corresponde al acuerdo</code>"
CANCEL_USAGE = "Uso: <code>/anular 2.1 Se acordó en sesión dejarlo sin efecto</code>"
ASSIGNMENT_NOT_FOUND = "❌ El acuerdo <b>{code}</b> no tiene a «{institution}» como responsable. Responsables: {known}."
VERIFIED = "✅ Verificado: <b>{code}</b> · {institution} queda <b>cumplido</b>."
AGREEMENT_DONE = "\n🎉 Con esto el acuerdo <b>{code}</b> está cumplido por todos sus responsables."
OBSERVED = ("↩️ <b>{code}</b> · {institution} queda <b>observado</b>: vuelve a manos de la institución. "
            "Les envié el motivo.")
CANCELLED_AGREEMENT = "🚫 Anulé el acuerdo <b>{code}</b> ({count} responsable(s)). Motivo: {reason}"
TOLD_VERIFIED = "✅ La Secretaría Técnica de {committee} verificó el acuerdo <b>{code}</b>: queda <b>cumplido</b>. ¡Gracias!"
TOLD_OBSERVED = (
    "↩️ La Secretaría Técnica de {committee} observó el reporte del acuerdo <b>{code}</b>: {reason}\n"
    "Queda <b>observado</b> y vuelve a tus manos. Cuando lo subsanes, repórtalo de nuevo con /pendientes."
)
TOLD_CANCELLED = "🚫 La Secretaría Técnica de {committee} anuló el acuerdo <b>{code}</b>: {reason}. Ya no recibirás recordatorios."
HISTORY_HEADER = "\n<b>Historial</b>"
HISTORY_LINE = "• {when} · {institution} · {who}: {status}{percent}{note}{evidence}"


class Html(str):
    """Text that is HTML already (a filled template, or lines of them joined): `t` inserts it unescaped."""


def t(template: str, **values: object) -> Html:
    """Fill a template, escaping every value for Telegram's HTML parse mode (an `Html` value goes in as it is)."""
    for key, value in values.items():  # in place, and escape() only when needed: summaries fill many lines
        kind = type(value)
        if kind is Html:
            continue
        text = value if kind is str else str(value)
        values[key] = escape(text, quote=False) if "&" in text or "<" in text or ">" in text else text
    return Html(template.format_map(values))


def plain(html_text: str) -> str:
    """The same message without tags, for places that show plain text: a button, a pop-up answer, a file, the CLI."""
    return unescape(_TAG.sub("", html_text))


_TAG = re.compile(r"<[^>]+>")


# Summaries and reports
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
LIGHT_NAME = {light.value: word for light, word in semaforo.WORD.items()}  # the one mapping, models/semaforo.py
_LIGHT_WORDS = {light.value: f"{semaforo.EMOJI[light]} {word}" for light, word in semaforo.WORD.items()}
LIGHT_REASON = {
    "done": "cumplido", "reported": "cumplimiento reportado, por verificar", "overdue": "vencido hace {days} día(s)",
    "unanswered": "{days} recordatorios sin respuesta", "no_deadline": "sin plazo y sin avances",
    "due_soon": "vence en {days} día(s)", "difficulties": "con dificultades", "silent": "{days} días sin avances",
    "on_track": "en plazo",
}
SUMMARY_HEADER = "📊 <b>Resumen de {committee}</b>\n{date} · cambios desde el {since}"
SUMMARY_LIGHTS = ("🚦 <b>Semáforo</b> de {count} acuerdo(s): " + _LIGHT_WORDS["green"] + " {green} · "
                  + _LIGHT_WORDS["yellow"] + " {yellow} · " + _LIGHT_WORDS["red"] + " {red} · "
                  + _LIGHT_WORDS["grey"] + " {grey}")
SUMMARY_DONE = "✅ Cumplidos: {done} de {count}"
SUMMARY_CANCELLED = " · {count} anulado(s), fuera del semáforo"
SUMMARY_INSTITUTIONS_HEADER = "\n🏛 <b>Por institución</b>"
SUMMARY_INSTITUTION_LINE = (
    "{light} <b>{name}</b>: {open} abierto(s), {overdue} vencido(s), {reported} reportado(s), "
    "{done} cumplido(s) · último avance: {last}"
)
SUMMARY_NEVER = "ninguno"
SUMMARY_CHANGES_HEADER = "\n🔄 <b>Cambios desde el {since}</b> ({count})"
SUMMARY_NEW_AGREEMENTS = "🆕 {count} acuerdo(s) nuevo(s): {codes}"
SUMMARY_CHANGE_LINE = "• {when} <b>{code}</b> · {institution}: {status}{percent}{author}"
SUMMARY_CHANGE_LINE_NOTE = "• {when} <b>{code}</b> · {institution}: {status}{percent} — «{note}»{author}"
SUMMARY_NO_CHANGES = "Ningún avance registrado en este periodo."
SUMMARY_MORE = "… y {count} más (el detalle completo está en /reporte)."
SUMMARY_SILENT_HEADER = "\n🔕 <b>No han respondido</b> a sus recordatorios"
SUMMARY_SILENT_LINE = "• <b>{institution}</b>: {codes}"
SUMMARY_SILENT_ITEM = "{code} ({count} sin respuesta)"
SUMMARY_NO_DEADLINE = "\n⚪ <b>Acuerdos sin plazo</b> ({count}): {codes}{more}"
SUMMARY_CODES_MORE = " y {count} más"
SUMMARY_ROLLUP_HEADER = "\n🗺 <b>Comités bajo {committee}</b>"
SUMMARY_ROLLUP_LINE = "{indent}{light} <b>{name}</b>: {count} acuerdo(s) — 🟢 {green} · 🟡 {yellow} · 🔴 {red} · ⚪ {grey}"
SUMMARY_ROLLUP_BELOW = " (incluye {count} comité(s) debajo)"
SUMMARY_EMPTY = "📊 <b>{committee}</b> aún no tiene acuerdos registrados."
NOT_READER = (
    "⛔ Solo la Secretaría Técnica y los observadores de un comité pueden usar {command}.\n"
    "Si te corresponde, abre el enlace de invitación que te enviaron."
)
COMMITTEE_NOT_VISIBLE = (
    "❌ No encuentro «{name}» entre los comités que puedes ver. Escribe su nombre completo, por ejemplo "
    "<code>{command} {example}</code>, o solo <code>{command}</code> para el tuyo."
)
REPORT_CAPTION = "📎 Informe de seguimiento de acuerdos de <b>{committee}</b> al {date}"
SEMAFORO_CAPTION = ("🚦 Semáforo por institución de <b>{committee}</b> al {date}: " + _LIGHT_WORDS["green"]
                    + " {green} · " + _LIGHT_WORDS["yellow"] + " {yellow} · " + _LIGHT_WORDS["red"] + " {red} · "
                    + _LIGHT_WORDS["grey"] + " {grey}")
REPORT_FILE = "informe-seguimiento-{committee}-{date}.{extension}"
SEMAFORO_FILE = "semaforo-{committee}-{date}.png"
REPORT_TITLE = "Informe de seguimiento de acuerdos"
REPORT_DOCUMENT_TITLE = "Informe de seguimiento de acuerdos — {committee}"
REPORT_COMMITTEE = "Comité: {committee}"
REPORT_PERIOD = "Periodo: del {start} al {end} (desde la última sesión)"
REPORT_CUTOFF = "Fecha de corte: {date}"
REPORT_LIGHTS = ("Semáforo de {count} acuerdo(s): " + LIGHT_NAME["green"] + " {green} · " + LIGHT_NAME["yellow"]
                 + " {yellow} · " + LIGHT_NAME["red"] + " {red} · " + LIGHT_NAME["grey"] + " {grey} · cumplidos {done}")
REPORT_SHEETS = ("Resumen", "Acuerdos", "Avances")
REPORT_LIGHT_COLUMNS = ("Semáforo", "Acuerdos")
REPORT_INSTITUTION_COLUMNS = ("Institución", "Abiertos", "Vencidos", "Reportados", "Cumplidos", "Último avance",
                              *(LIGHT_NAME[each] for each in ("green", "yellow", "red", "grey")))
REPORT_AGREEMENT_COLUMNS = ("Sesión", "Fecha de sesión", "Código", "Acuerdo", "Institución responsable", "Plazo",
                            "Estado", "Avance (%)", "Último avance", "Recordatorios sin respuesta", "Semáforo")
REPORT_UPDATE_COLUMNS = ("Fecha", "Sesión N°", "Código", "Institución", "Estado", "Avance (%)", "Nota", "Autor",
                         "Evidencias")
REPORT_OPEN_HEADER = "Acuerdos abiertos ({count})"
REPORT_OPEN_COLUMNS = ("Código", "Acuerdo", "Responsables", "Plazo", "Semáforo")
REPORT_OVERDUE_HEADER = "Acuerdos vencidos ({count})"
REPORT_OVERDUE_COLUMNS = ("Código", "Institución", "Plazo", "Días de atraso", "Estado", "Último avance")
REPORT_NONE = "Ninguno."
REPORT_PAGE = "Página {page} de {pages}"
REPORT_ASSIGNMENT = "{institution}: {status}{percent}"
CHART_TITLE = "{committee} — Semáforo por institución al {date}"
CHART_AXIS = "Responsabilidades (acuerdo × institución)"


# Reminders
REMINDER_HEADER = {
    "before_deadline": "🔔 <b>Recordatorio de acuerdo</b>",
    "on_deadline": "📅 <b>Hoy vence un acuerdo</b>",
    "overdue": "⏰ <b>Acuerdo vencido</b>",
    "no_deadline": "📌 <b>Seguimiento de acuerdo</b>",
}
REMINDER_BODY = (
    " — {committee}\n\n"
    "<b>{code}</b> ({session}): {text}\n"
    "🏛 Responsable: {institution}\n"
    "📅 Plazo: {deadline}\n"
    "📊 Estado: {status}{last}\n\n"
    "¿Cómo va? Toca un botón, o responde a este mensaje con el avance (texto, foto o documento)."
)
REMINDER_LAST_UPDATE = " · último avance el {date}"
LAST_UPDATE_ON = " · último avance {date}"
NONE_YET = "ninguna"
BUTTON_REMINDER_DONE = "✅ Cumplido"
BUTTON_REMINDER_PROGRESS = "⏳ En proceso"
BUTTON_REMINDER_DIFFICULTY = "⚠️ Con dificultades"
BUTTON_REMINDER_SNOOZE = "🕒 Recordar en {days} días"
BUTTON_REMINDER_SNOOZED = "🕒 Lo recordaré el {when}"
DIGEST_HEADER = "🔔 <b>Tienes {count} acuerdos por atender</b> — {committees}"
DIGEST_PAGE = "Página {page} de {pages}"
DIGEST_COMMITTEE = "🏛 <b>{committee}</b>"
DIGEST_LINE = "{light} <b>{code}</b> · {institution} · 📅 {deadline}"
DIGEST_FOOTER = ("Toca un acuerdo para verlo con sus botones (✅ ⏳ ⚠️ 🕒), o responde a este mensaje con el avance "
                 "(texto, foto o documento).")
DIGEST_WHICH = "¿A cuál acuerdo se refiere tu respuesta? Toca uno."
DIGEST_GONE = "ℹ️ Ya no tienes ninguno de estos acuerdos por atender. Mira los que quedan con /pendientes."
BUTTON_DIGEST_ITEM = "{code} · {institution}"
SNOOZED = "🕒 Listo: volveré a recordarlo el {when}."
SNOOZE_NOT_YOURS = "⛔ Este recordatorio no es de tu institución."
SNOOZE_CLOSED = "ℹ️ Este acuerdo ya está {status}: no hace falta recordarlo."
SNOOZE_WHEN = "{weekday} {date} a las {time}"
ESCALATION_HEADER = (
    "🚨 <b>Acuerdos vencidos sin respuesta</b> — {committee}\n"
    "Estas instituciones no respondieron a los recordatorios enviados después del plazo:"
)
ESCALATION_LINE = "• <b>{code}</b> · {institution}: {text}\n   📅 {deadline} · {count} recordatorio(s) sin respuesta"
ESCALATION_MORE = "… y {count} más."
ESCALATION_FOOTER = "Puedes escribirles, cambiar el plazo con <code>/plazo {code} 30 de abril</code> o ver el detalle con <code>/acuerdo {code}</code>."
DELIVERY_HEADER = "⚠️ <b>Recordatorios que no llegaron</b> — {committee}"
DELIVERY_BLOCKED = "• {institution}: el chat «{contact}» ya no recibe mensajes del bot (lo bloquearon o me sacaron del grupo). Dejé de enviarle recordatorios."
DELIVERY_ALONE = "\n   {institution} quedó <b>sin punto focal</b>: invita a otro con <code>/invitar {institution}</code>."
DELIVERY_FAILED = "• <b>{code}</b> · {institution} («{contact}»): Telegram no aceptó el recordatorio ({attempts} intento(s)). Irá el siguiente de su calendario."
DELIVERY_MORE = "… y {count} más."


# Import of actas
IMPORT_ASK = (
    "📥 Envíame el <b>acta</b> como archivo (.docx, .xlsx, .csv, .txt, .tsv o un .pdf con texto), "
    "o pega aquí la tabla de acuerdos copiada de Word o Excel.\n"
    "Te mostraré lo que entendí antes de registrar nada. (/cancelar para salir)"
)
IMPORT_ASK_SESSION = (
    "📅 El acta no dice de qué sesión es. Escríbela así: <code>ordinaria 1 25/02/2026</code>\n"
    "(tipo, número y fecha; /cancelar para salir)"
)
IMPORT_BAD_SESSION = (
    "❌ No entendí la sesión «{text}». Escríbela así: <code>ordinaria 1 25/02/2026</code> "
    "(tipo: ordinaria o extraordinaria; número; fecha dd/mm/aaaa)."
)
IMPORT_REFUSED = "❌ {reason}\n\nNo registré nada. Envía el acta corregida, o /cancelar."
IMPORT_PREVIEW_HEADER = "📋 <b>Vista previa del acta</b>\n{title}"
IMPORT_NO_TITLE = "(sin título)"
IMPORT_PREVIEW_SESSION = "Sesión: <b>{session}</b> ({state})"
IMPORT_SESSION_NEW = "la registraré"
IMPORT_SESSION_KNOWN = "ya registrada"
IMPORT_PREVIEW_COUNTS = "Por registrar: <b>{agreements}</b> con <b>{assignments}</b>"
IMPORT_AGREEMENTS = ("acuerdo", "acuerdos")
IMPORT_ASSIGNMENTS = ("responsabilidad", "responsabilidades")
IMPORT_NEW_INSTITUTIONS = ("institución nueva", "instituciones nuevas")
IMPORT_AGREEMENT_LINE = "<b>{code}</b> {text}\n   🏛 {institutions} · 📅 {deadline} · 👁 {followup}"
IMPORT_NOBODY = "nadie"
IMPORT_INSTITUTIONS_HEADER = "\n🏛 <b>Instituciones</b>"
IMPORT_KNOWN = "✅ Ya registradas: {names}"
IMPORT_NEAR = "🔗 Usaré «{institution}» para «{written}»"
IMPORT_NEW = "🆕 Nuevas ({count}): {names}"
IMPORT_QUALITY_HEADER = "\n⚠️ <b>Revisa antes de confirmar</b>"
IMPORT_NO_DEADLINE = "• Sin plazo ({count} de {total}): {codes}"
IMPORT_NO_FOLLOWUP = "• Sin responsable de seguimiento ({count} de {total}): {codes}"
IMPORT_NO_IMPLEMENTER = "• {code} no tiene responsable de implementación: quedará a cargo de {followup} (seguimiento)."
IMPORT_DEADLINE_BEFORE = "• El plazo {deadline} de {code} es anterior a la sesión: lo registraré sin plazo."
IMPORT_LINE = "• {text}"
IMPORT_EXISTING = "\nℹ️ Ya registrados en esa sesión, no los repito ({count}): {codes}"
IMPORT_PROBLEMS_HEADER = "\n❌ <b>Así no puedo registrarla</b>"
IMPORT_NOTHING_NEW = "\nNo hay acuerdos nuevos que registrar."
# Plain sentences (no tags): they are escaped when shown.
IMPORT_NO_RESPONSIBLE = "El acuerdo {code} no tiene responsable de implementación ni de seguimiento."
IMPORT_NAME_TOO_LONG = "«{name}» tiene más de {max} caracteres: no parece el nombre de una institución."
IMPORT_TEXT_TOO_LONG = "El texto del acuerdo {code} tiene {length} caracteres (máximo {max}): resúmelo."
IMPORT_SAME_NUMBER = "Ya está registrada la {session}: ¿la fecha del acta es correcta?"
IMPORT_HOW_TO_FIX = (
    "Si algo no está bien, corrige el archivo y envíamelo de nuevo, o agrega la institución con "
    "<code>/instituciones agregar …</code> y vuelve a enviarlo."
)
IMPORT_CONFIRM_QUESTION = "\n\n¿Registro el acta así?"
IMPORT_SAVED = "✅ Registré {agreements} y {assignments} en la <b>{session}</b>."
IMPORT_SAVED_NEW = "🆕 {institutions}: {names}"
IMPORT_SAVED_ALIASES = "🔗 Desde ahora reconozco {pairs}"
IMPORT_ALIAS_PAIR = "«{alias}» = {name}"
IMPORT_SAVED_SKIPPED = "ℹ️ Ya existían (no los repetí): {codes}"
IMPORT_SAVED_NEXT = "Invita a los puntos focales con <code>/invitar …</code> y revisa con /acuerdos."
IMPORT_CANCELLED = "Listo, no importé nada."
IMPORT_USE_BUTTONS = "Toca ✅ Confirmar o ✖️ Cancelar en la vista previa, o envíame otra acta."
IMPORT_EXPIRED = "Esa vista previa ya no está activa. Empieza de nuevo con /importar."
IMPORT_CHANGED = "ℹ️ Algo cambió en el comité desde la vista previa. Revisa esta nueva y confirma otra vez."

# Committee settings
CONFIG_SHOW = (
    "⚙️ <b>Configuración de {committee}</b> ({timezone})\n\n"
    "<b>Recordatorios</b>\n"
    "• horario: {horario} (días hábiles)\n"
    "• antes del plazo: {antes} días\n"
    "• vencido: cada {vencido} días · sin plazo: cada {sinplazo} días\n"
    "• avisar a la Secretaría tras {escalar} recordatorios vencidos sin respuesta\n\n"
    "<b>Semáforo</b>\n"
    "• amarillo: {amarillo} días antes del plazo, o {silencio} días sin avance\n"
    "• rojo: plazo vencido, o {sinrespuesta} recordatorios seguidos sin respuesta\n\n"
    "<b>Resumen semanal</b>: {resumen} · también al grupo del comité: {grupo}\n"
    "<b>Sitio público del semáforo</b>: {publico}\n\n"
    "Para cambiar algo: <code>/config horario 08:00-17:00</code>, <code>/config antes 7,2</code>, "
    "<code>/config vencido 3</code>, <code>/config amarillo 7</code>, <code>/config resumen lunes 8</code>; "
    "en el grupo del comité: <code>/config grupo</code> (o <code>/config grupo no</code>); "
    "<code>/config publico si</code>."
)
CONFIG_BAD = (
    "❌ No entendí «{text}». Ejemplos: <code>/config horario 08:00-17:00</code>, <code>/config antes 7,2</code>, "
    "<code>/config vencido 3</code>, <code>/config sinplazo 14</code>, <code>/config escalar 2</code>, "
    "<code>/config amarillo 7</code>, <code>/config silencio 14</code>, <code>/config sinrespuesta 2</code>, "
    "<code>/config resumen lunes 8</code>."
)
CONFIG_YES = "sí"
CONFIG_NO = "no"
CONFIG_SAVED = "✅ Listo: {setting} = {value}."
CONFIG_GROUP_SET = "✅ Este grupo recibirá el resumen semanal de <b>{committee}</b>."
CONFIG_GROUP_OFF = "✅ El resumen semanal de <b>{committee}</b> irá solo a la Secretaría Técnica."
CONFIG_GROUP_HERE = "ℹ️ Escribe <code>/config grupo</code> dentro del grupo del comité que debe recibir el resumen."


# Reading an acta: plain sentences (no tags), shown escaped in the chat and as they are by the command line.
ACTA_EXPECTED_TABLE = (
    "La tabla debe tener una fila de títulos como «N° | PROBLEMÁTICA | ACUERDO | "
    "RESPONSABLE DE IMPLEMENTACIÓN | RESPONSABLE DE SEGUIMIENTO» y debajo una fila por acuerdo, "
    "p. ej. «01 | Baja cultura de denuncia | Campaña de denuncia oportuna | "
    "PNP, Gobiernos Locales | Secretaría Técnica CORESEC»."
)
ACTA_NO_AGREEMENT_COLUMN = "No encontré la columna «ACUERDO». " + ACTA_EXPECTED_TABLE
ACTA_NO_AGREEMENTS = "La tabla tiene títulos pero ningún acuerdo debajo. " + ACTA_EXPECTED_TABLE
ACTA_NO_SESSION_DATE = (
    "No encontré la fecha de la sesión (p. ej. «Fecha: 25/02/2026»); "
    "los plazos como «dentro de 24 horas» no se calcularon."
)
ACTA_OTHER_SESSION_DATE = "El acta dice «{found}», pero se importa en la sesión del {used}; usé {used}."
ACTA_NUMBER_GIVEN = "Un acuerdo sin número quedó como «{code}»."
ACTA_NO_TEXT = "El acuerdo {code} no tiene texto; no se importó."
ACTA_REPEATED_CODE = "El número {code} aparece más de una vez."
ACTA_UNREADABLE_DEADLINE = "No entendí el plazo «{words}» del acuerdo {code}."
ACTA_UNSUPPORTED = (
    "No puedo leer archivos «{ext}». Envía el acta como .docx, .xlsx, .csv, .txt, .tsv o un .pdf "
    "con texto, o pega la tabla como texto (columnas separadas por tabulaciones)."
)
ACTA_EMPTY_FILE = "El archivo está vacío. Envía el acta con su tabla de acuerdos (N°, ACUERDO, RESPONSABLE…)."
ACTA_EMPTY_TEXT = "El texto está vacío. Pega la tabla de acuerdos copiada del acta, con su fila de títulos."
ACTA_TOO_BIG = "El archivo pesa {size} MB y el máximo es 20 MB. Envía solo el acta, sin anexos ni fotos."
ACTA_DAMAGED = "No pude abrir el archivo {ext}: parece dañado o no es realmente {ext}. Ábrelo y guárdalo de nuevo."
ACTA_SCANNED_PDF = (
    "El PDF no tiene texto (¿es un escaneo?). Envía el .docx o .xlsx original del acta, "
    "o un PDF exportado desde Word."
)
ACTA_NO_PDF_TABLE = (
    "No encontré una tabla con bordes en el PDF. Envía el .docx o .xlsx original del acta, "
    "o pega la tabla como texto."
)
ACTA_PASTED_COLUMNS = (
    "Al pegar, copia la tabla desde Word o Excel para que las columnas queden separadas por "
    "tabulaciones, o envía el archivo."
)
ACTA_MERGED_CELLS = (
    "La tabla tiene celdas combinadas que cruzan columnas ({where}). Descombínalas (en Excel: "
    "Inicio › Combinar y centrar) para que cada acuerdo tenga su celda en cada columna, y envía "
    "el archivo de nuevo."
)
ACTA_MERGED_ROW = "fila {number} de la tabla"
ACTA_TOO_BIG_UNKNOWN = "El archivo pesa más de 20 MB, el máximo. Envía solo el acta, sin anexos ni fotos."
ACTA_TOO_SLOW = (
    "Leer este archivo tomó más de {seconds} segundos y lo dejé. Envía solo la tabla de acuerdos, p. ej. "
    "cópiala en un .xlsx nuevo o pégala aquí desde el acta."
)
ACTA_TOO_HEAVY = (
    "Este archivo necesita más memoria de la que puedo usar para leerlo. Envía solo la tabla de acuerdos, "
    "p. ej. cópiala en un .docx o .xlsx nuevo, sin imágenes."
)
ACTA_TOO_MANY_AGREEMENTS = (
    "El acta tiene más de {max} acuerdos, el máximo de una vez. Divídela: p. ej. envía los acuerdos 1 a {max} "
    "en un archivo y el resto en otro; cada envío registra solo los que falten."
)
ACTA_TOO_WIDE = (
    "La tabla tiene más de {max} columnas. Deja solo las del acta (N°, ACUERDO, RESPONSABLE, PLAZO…) "
    "y envíala de nuevo."
)
ACTA_TOO_MANY_ROWS = (
    "El archivo tiene más de {max} filas (hay algo escrito muy abajo en la hoja). Deja solo la tabla de "
    "acuerdos, p. ej. cópiala en una hoja nueva, y envíala de nuevo."
)
ACTA_TOO_BIG_INFLATED = (
    "El archivo {ext} ocupa más de {max} MB una vez abierto. Envía solo la tabla de acuerdos, "
    "p. ej. cópiala en un archivo nuevo, sin imágenes ni anexos."
)
ACTA_LINE_TOO_LONG = (
    "La línea {number} tiene {length} caracteres: no es una tabla con una fila por línea. Guarda el acta "
    "desde Word o Excel como «Texto (delimitado por tabulaciones)» (.txt), o envía el .docx o .xlsx."
)
ACTA_ENCRYPTED_PDF = (
    "El PDF está protegido con contraseña y no puedo abrirlo. Guárdalo sin contraseña (p. ej. «Imprimir › "
    "Guardar como PDF») o envía el .docx del acta."
)


# Members: /miembros, /revocar, /salir
MEMBERS_HEADER = "👥 <b>Miembros de {committee}</b> ({count})"
MEMBERS_SECRETARIES = "\n<b>Secretaría Técnica</b>"
MEMBERS_FOCAL_POINTS = "\n<b>Puntos focales</b>"
MEMBERS_OBSERVERS = "\n<b>Observadores</b>"
MEMBERS_INSTITUTION = "🏛 {institution}"
MEMBERS_NO_FOCAL_POINT = "🏛 {institution}: <i>sin punto focal</i>"
MEMBERS_LINE = "• N° <b>{number}</b> · {name}{group} · desde el {since}"
MEMBERS_GROUP = " (grupo)"
MEMBERS_NONE = "• ninguno"
MEMBERS_FOOTER = "\nPara retirar a alguien: <code>/revocar {number}</code> (su N°). Invitar: <code>/invitar PNP</code>"
MEMBER_ROLE = {"secretary": "Secretaría Técnica", "observer": "observador",
               "implementer": "punto focal de {institution}"}
REVOKE_USAGE = "Uso: <code>/revocar 12</code> (el N° que muestra /miembros)."
MEMBER_UNKNOWN = "❌ No encuentro al miembro N° {number} en {committee}. Mira los números con /miembros."
MEMBER_BUTTON_STALE = "⛔ Ese botón ya no es válido. Empieza de nuevo con {command}."
MEMBER_GONE = "ℹ️ {name} ya no está vinculado a {committee}. No cambié nada."
REVOKE_CONFIRM = (
    "¿Retiro a <b>{name}</b>{group} ({role}) de <b>{committee}</b>?\n"
    "Dejará de recibir sus mensajes y de usar sus comandos; para volver necesitará una invitación nueva."
)
REVOKED = "✅ Retiré a <b>{name}</b> ({role}) de {committee}."
NOW_ALONE = "\n{institution} quedó <b>sin punto focal</b>: invita a otro con <code>/invitar {institution}</code>."
TOLD_REVOKED = "ℹ️ La Secretaría Técnica de {committee} retiró a este chat como {role}. Ya no recibirás sus mensajes."
LAST_SECRETARY = (
    "⛔ {name} es la única Secretaría Técnica activa de {committee}: no puedo retirarla. "
    "Primero invita a otra con <code>/invitar secretaria</code>."
)
LEAVE_NOTHING = "ℹ️ No estás vinculado a ningún comité: no hay nada de qué salir."
LEAVE_NOTHING_GROUP = (
    "ℹ️ Este grupo no está vinculado a ningún comité. Para dejar tus propios vínculos, escríbeme "
    "<code>/salir</code> en privado."
)
LEAVE_CHOOSE = "¿De cuál quieres salir?"
LEAVE_OPTION = "{role} · {committee}"
LEAVE_CONFIRM = (
    "¿Seguro que quieres dejar de ser {role} de <b>{committee}</b>?\n"
    "Ya no recibirás sus mensajes ni podrás usar sus comandos; para volver hará falta una invitación nueva."
)
LEAVE_CONFIRM_GROUP = (
    "¿Seguro que este grupo deja de ser {role} de <b>{committee}</b>?\n"
    "Ya no recibirá sus recordatorios; para volver hará falta una invitación nueva."
)
LEFT = "✅ Listo: ya no eres {role} de {committee}."
LEFT_GROUP = "✅ Listo: este grupo ya no es {role} de {committee}."
LEFT_NOTICE = "ℹ️ {name}{group} dejó de ser {role} de {committee} (usó /salir)."
LEAVE_LAST_SECRETARY = (
    "⛔ Eres la única Secretaría Técnica activa de {committee}: si sales, nadie podría administrarlo. "
    "Primero invita a otra con <code>/invitar secretaria</code> y espera a que abra el enlace."
)
LEAVE_NOT_ADMIN = (
    "⛔ Solo un administrador de este grupo, o quien lo vinculó con la invitación, puede sacarlo de {committee}."
)
BUTTON_REVOKE = "✅ Revocar"
BUTTON_LEAVE = "✅ Salir"

# Long answers: one short message, and the whole in a file
LONG_IN_FILE = "📎 El detalle completo va en el archivo <b>{filename}</b>."
LONG_MORE = "• … y {count} más (en el archivo)"
IMPORT_PREVIEW_FILE = "vista-previa-acta.txt"
IMPORT_RESULT_FILE = "registro-acta.txt"
IMPORT_SHORT_INSTITUTIONS = "🏛 Instituciones: {known} ya registrada(s) · {near} parecida(s) · {new} nueva(s)"
IMPORT_SHORT_QUALITY = "⚠️ <b>Revisa antes de confirmar</b>: {items}"
IMPORT_SHORT_NO_DEADLINE = "{count} sin plazo"
IMPORT_SHORT_NO_FOLLOWUP = "{count} sin responsable de seguimiento"
IMPORT_SHORT_NO_IMPLEMENTER = "{count} sin responsable de implementación"
IMPORT_SHORT_DEADLINE_DROPPED = "{count} con un plazo fuera de rango (quedan sin plazo)"
IMPORT_SHORT_NOTES = "{count} aviso(s) más"
IMPORT_SHORT_EXISTING = "ℹ️ Ya registrados en esa sesión, no los repito: {count}"
IMPORT_SHORT_PROBLEMS = "\n❌ <b>Así no puedo registrarla</b> ({count} problema(s))"
IMPORT_SAVED_NEW_COUNT = "🆕 {institutions}"
IMPORT_SAVED_SKIPPED_COUNT = "ℹ️ Ya existían (no los repetí): {count}"
PENDING_FILE = "pendientes-{institutions}.txt"
PENDING_SHORT_LIGHTS = "🔴 {red} · 🟡 {yellow} · 🟢 {green} · ⚪ {grey}"
PENDING_SHORT_NEAREST = "Los {count} más próximos a vencer:"
MEMBERS_FILE = "miembros-{committee}.txt"
MEMBERS_SHORT = "Secretaría Técnica: {secretaries} · puntos focales: {focal} · observadores: {observers}"
MEMBERS_SHORT_UNCOVERED = "🏛 Instituciones sin punto focal: {count}"
INSTITUTIONS_FILE = "instituciones-{committee}.txt"
INSTITUTIONS_ADDED_FILE = "instituciones-agregadas-{committee}.txt"
INSTITUTIONS_ADDED_SHORT = ("🏛 <b>{committee}</b>: agregué {added} institución(es); {existing} ya estaba(n) registrada(s); "
                            "{refused} no era(n) nombre(s) de institución.")
INSTITUTIONS_SHORT = "Con punto focal: {with_focal} · sin punto focal: {without}"
AGREEMENT_FILE = "acuerdo-{code}.txt"
AGREEMENT_SHORT = ("<b>{code}</b> · {session}\n{text}\n📅 {deadline}\n"
                   "🏛 {count} responsable(s) · {updates} avance(s) en el historial")
# The audit bundle (`acuerdos-bot export --format zip`): its folder, files and columns, for whoever audits it.
BUNDLE_FOLDER = "auditoria-{committee}-{date}"
BUNDLE_UPDATES_FILE = "avances.csv"
BUNDLE_AUDIT_FILE = "auditoria.csv"
BUNDLE_EVIDENCE_FILE = "evidencias.csv"
BUNDLE_EVIDENCE_FOLDER = "evidencia"
BUNDLE_MISSING_FILE = "faltantes.txt"
BUNDLE_README_FILE = "LEEME.txt"
BUNDLE_UPDATE_COLUMNS = ("N° avance", "Fecha (UTC)", "Fecha local", "Sesión", "Fecha de sesión", "Código",
                         "Institución", "Estado", "Avance (%)", "Nota", "Autor", "ID de Telegram del autor",
                         "Evidencias")
BUNDLE_AUDIT_COLUMNS = ("N°", "Fecha (UTC)", "Quién", "Acción", "Entidad", "N° de la entidad", "Detalle (JSON)")
BUNDLE_EVIDENCE_COLUMNS = ("N° evidencia", "N° avance", "Tipo", "Nombre", "Tipo MIME", "Tamaño (bytes)", "SHA-256",
                           "Archivo en el paquete", "file_id de Telegram")
BUNDLE_MISSING_LINE = "N° evidencia {id} · avance {update} · «{name}» · file_id {file_id} · {why}"
BUNDLE_MISSING_WHY = {"not_kept": "no se guardó una copia en la carpeta de evidencias",
                      "not_found": "la copia no está en la carpeta de evidencias",
                      "mismatch": "la copia guardada no coincide con el SHA-256 registrado"}
BUNDLE_README = (
    "Paquete de auditoría de {committee}, generado el {date} (UTC).\n\n"
    "{xlsx}: el Informe de seguimiento de acuerdos.\n"
    "avances.csv: cada avance y decisión registrados, con su autor y fecha.\n"
    "auditoria.csv: cada cambio registrado en el comité.\n"
    "evidencias.csv: cada archivo de evidencia, con su SHA-256; los archivos están en evidencia/.\n"
    "faltantes.txt (si existe): las evidencias cuyo archivo no está en el paquete.\n\n"
    "Para comprobar que nada cambió, en esta carpeta: sha256sum -c SHA256SUMS\n"
)

# The public site and calendars (bot/public/, handlers/public.py)
CALENDAR_NAME = "Plazos de acuerdos · {name}"
CALENDAR_NAME_INSTITUTION = "Plazos de acuerdos · {institution} · {committee}"
CALENDAR_EVENT = "Vence el acuerdo {code} · {committee}"
CALENDAR_EVENT_ABOUT = "{session}\n{text}\nResponsables: {institutions}"
CALENDAR_FILE = "plazos-{name}.ics"
CALENDAR_CAPTION = (
    "📅 Plazos de los acuerdos abiertos de <b>{name}</b> ({count}). Ábrelo para agregarlos a tu calendario; "
    "los acuerdos sin fecha no aparecen."
)
CALENDAR_EMPTY = "📅 <b>{name}</b> no tiene acuerdos abiertos con fecha de plazo. Nada que agregar al calendario."
CONFIG_PUBLIC_BAD = ("❌ Escribe <code>/config publico si</code> para publicarlo o <code>/config publico no</code> "
                     "para retirarlo.")
CONFIG_PUBLIC_ON = (
    "🌐 <b>{committee}</b> se publicará en el sitio del semáforo en los próximos minutos: sus acuerdos, "
    "instituciones y luces, sin personas, notas ni evidencias. Para dejar fuera un acuerdo: "
    "<code>/reservar 2.1</code>."
)
CONFIG_PUBLIC_OFF = "🔒 <b>{committee}</b> ya no se publica: su página sale del sitio en los próximos minutos."
RESERVE_USAGE = "Escribe el código del acuerdo, por ejemplo: <code>/reservar 2.1</code>"
PUBLISH_USAGE = "Escribe el código del acuerdo, por ejemplo: <code>/publicar 2.1</code>"
RESERVED = (
    "🔒 El acuerdo <b>{code}</b> queda reservado: no aparece en el sitio público ni en sus datos abiertos. "
    "Para volver a mostrarlo: <code>/publicar {code}</code>."
)
UNRESERVED = "🌐 El acuerdo <b>{code}</b> vuelve a mostrarse en el sitio público (si el comité está publicado)."
RESERVED_ALREADY = "ℹ️ El acuerdo <b>{code}</b> ya estaba reservado. No cambié nada."
UNRESERVED_ALREADY = "ℹ️ El acuerdo <b>{code}</b> no estaba reservado. No cambié nada."
# An agreement's block on its committee's public page (bot/public/site.py): drawn for each of 100,000 agreements
PUBLIC_AGREEMENT = (
    '<article id="a-{id}"><h3>Acuerdo {code} · {session}</h3><p>{text}</p><p class="m">Estado: {status} '
    "({percent}%) · Plazo: {deadline} · Última actualización: {updated}</p><ul>{responsibles}</ul>{history}</article>"
)
PUBLIC_RESPONSIBLE = "<li>{institution}: {light} {why} · {status} · {percent}%</li>"
PUBLIC_HISTORY = "<details><summary>Historial de estados</summary><ul>{lines}</ul></details>"
PUBLIC_HISTORY_LINE = "<li>{institution}: {steps}</li>"
PUBLIC_STEP = "{on} {status}"
PUBLIC_STEPS_JOIN = " · "
PUBLIC_LINK = '<a href="#a-{id}">{code}</a>'  # an agreement in the index per institution of its page
PUBLIC_LINKS_JOIN = " · "
