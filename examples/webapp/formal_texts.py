"""The customer pages' texts in the formal address, for a business with ``Business.formal``.

German says "Sie" instead of "du", Spanish "usted" instead of "tú"; French says
"vous" to everyone and English "you", so they need no variant.  Only the texts
that address the customer are here: any other text is the same either way (see
:func:`examples.webapp.texts.text`).  The library's emails and policy sentences
take their formal variants from its catalogs (``msgctxt "formal"``).
"""

from __future__ import annotations

__all__ = ["FORMAL_TEXTS"]

FORMAL_TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "r_email_unchanged": "Esta ya es la dirección de su perfil.",
        "current_password": "Su contraseña",
        "email_change_sent": (
            "Revise el buzón de la nueva dirección: le hemos enviado un enlace para "
            "confirmarla. Su dirección solo cambia cuando lo abra."
        ),
        "email_change_wrong_password": "Esa no es su contraseña.",
        "confirm_email_title": "Confirme su nueva dirección de correo",
        "confirm_email_intro": "¿Usar {email} para su perfil a partir de ahora?",
        "email_changed": "Hecho: su perfil utiliza ahora {email}.",
        "err_email_change_used": (
            "Este enlace ya se usó o fue sustituido por uno más reciente. Vuelva a "
            "pedir el cambio desde su perfil."
        ),
        "err_email_change_expired": (
            "Este enlace ha caducado. Vuelva a pedir el cambio desde su perfil."
        ),
        "home_intro": "Reserve sus clases en {business}.",
        "home_login_not_offered": (
            "Aquí no hay inicio de sesión para clientes: reserve en recepción."
        ),
        "home_login_offered": "Inicie sesión para ver sus reservas.",
        "home_login_required": "Inicie sesión para reservar una clase.",
        "home_login_satisfied": "Ha iniciado sesión: las nuevas reservas van a su perfil.",
        "activate_title": "Active su perfil",
        "activate_intro": "Hola {name}, elija una contraseña para {email}.",
        "activate_intro_anonymous": "Elija una contraseña para {email}.",
        "activated": "Su perfil está activo. ¡Bienvenido!",
        "err_expired": "Este enlace ha caducado. Pida a {business} que le invite de nuevo.",
        "err_reset_expired": "Este enlace ha caducado. Pida uno nuevo aquí abajo.",
        "err_used": "Su perfil ya está activado. Inicie sesión con su correo y su contraseña.",
        "err_test": (
            "Este enlace viene de una invitación de prueba, así que no activa nada."
            " Sus clientes ven aquí la página de activación."
        ),
        "err_archived": "Este perfil ya no está activo. Póngase en contacto con {business}.",
        "err_invalid": (
            "Este enlace no es válido. Compruebe que abrió el enlace completo del correo."
        ),
        "logged_out": "Ha cerrado la sesión.",
        "forgot_link": "¿Ha olvidado su contraseña?",
        "forgot_title": "¿Ha olvidado su contraseña?",
        "forgot_intro": (
            "Escriba su correo electrónico y le enviaremos un enlace para elegir otra."
        ),
        "forgot_sent": "Si esta dirección pertenece a un perfil, le hemos enviado un correo.",
        "reset_title": "Elija una nueva contraseña",
        "reset_done": "Su contraseña ha cambiado. Inicie sesión con la nueva.",
        "no_upcoming": "No tiene próximas reservas.",
        "no_past": "No tiene reservas pasadas.",
        "cancel_done": "Su reserva está cancelada.",
        "reschedule_done": "Su reserva se ha pasado al {date}.",
        "details_saved": "Sus datos están guardados.",
        "unsubscribed": "Hecho: {business} no le enviará más invitaciones.",
        "csrf_error": (
            "Este formulario ha caducado. Vuelva atrás, recargue la página e inténtelo de nuevo."
        ),
        "please_log_in": "Inicie sesión para ver sus reservas.",
        "signup_link": "¿Es nuevo? Cree un perfil",
        "signup_intro": (
            "Cree un perfil con su correo electrónico para ver y gestionar sus reservas."
        ),
        "signup_sent": "Revise su correo: le hemos enviado un enlace para confirmar su dirección.",
        "verify_title": "Confirme su correo electrónico",
        "verify_intro": "Confirme {email} con la contraseña que eligió al registrarse.",
        "verify_wrong_password": "Escriba la contraseña que eligió al registrarse.",
        "err_verify_expired": "Este enlace ha caducado. Regístrese de nuevo para recibir otro.",
        "err_verify_superseded": (
            "{business} ha creado un perfil con esta dirección después de su registro. "
            "Le hemos enviado un enlace nuevo: confirme con ese."
        ),
        "r_pw_too_short": "Esta contraseña es demasiado corta: use al menos {limit} caracteres.",
        "r_pw_too_long": "Esta contraseña es demasiado larga: use como máximo {limit} caracteres.",
        "r_pw_too_common": (
            "Esta contraseña es de las más comunes y fácil de adivinar: elija otra."
        ),
        "r_pw_personal": (
            "La contraseña no puede ser su nombre, su correo electrónico ni el nombre"
            " de {business}."
        ),
        "r_email_empty": "Escriba una dirección de correo electrónico.",
        "r_throttled": "Demasiados intentos fallidos. Vuelva a intentarlo a partir del {date}.",
    },
    "de": {
        "r_email_unchanged": "Das ist bereits die Adresse Ihres Profils.",
        "current_password": "Ihr Passwort",
        "email_change_sent": (
            "Schauen Sie ins Postfach der neuen Adresse: Wir haben einen Link "
            "geschickt, um sie zu bestätigen. Ihre Adresse ändert sich erst, wenn "
            "Sie ihn öffnen."
        ),
        "email_change_wrong_password": "Das ist nicht Ihr Passwort.",
        "confirm_email_intro": "Ab jetzt {email} für Ihr Profil verwenden?",
        "email_changed": "Erledigt: Ihr Profil verwendet jetzt {email}.",
        "err_email_change_used": (
            "Dieser Link wurde schon benutzt oder durch einen neueren ersetzt. "
            "Fordern Sie die Änderung in Ihrem Profil erneut an."
        ),
        "err_email_change_expired": (
            "Dieser Link ist abgelaufen. Fordern Sie die Änderung in Ihrem Profil erneut an."
        ),
        "home_intro": "Buchen Sie Ihre Kurse bei {business}.",
        "home_login_not_offered": "Hier gibt es keine Kundenanmeldung: Buchen Sie am Empfang.",
        "home_login_offered": "Melden Sie sich an, um Ihre Buchungen zu sehen.",
        "home_login_required": "Melden Sie sich an, um einen Kurs zu buchen.",
        "home_login_satisfied": "Sie sind angemeldet: Neue Buchungen gehen in Ihr Profil.",
        "activate_intro": "Hallo {name}, wählen Sie ein Passwort für {email}.",
        "activate_intro_anonymous": "Wählen Sie ein Passwort für {email}.",
        "activated": "Ihr Profil ist aktiv. Willkommen!",
        "err_expired": "Dieser Link ist abgelaufen. Bitten Sie {business}, Sie erneut einzuladen.",
        "err_reset_expired": "Dieser Link ist abgelaufen. Fordern Sie unten einen neuen an.",
        "err_used": (
            "Ihr Profil ist bereits aktiviert. Melden Sie sich mit E-Mail und Passwort an."
        ),
        "err_test": (
            "Dieser Link stammt aus einer Testeinladung und aktiviert nichts. Ihre Kundinnen"
            " und Kunden sehen hier die Aktivierungsseite."
        ),
        "err_archived": "Dieses Profil ist nicht mehr aktiv. Bitte wenden Sie sich an {business}.",
        "err_invalid": (
            "Dieser Link ist ungültig. Prüfen Sie, ob Sie den ganzen Link aus der E-Mail"
            " geöffnet haben."
        ),
        "logged_out": "Sie sind abgemeldet.",
        "forgot_intro": "Geben Sie Ihre E-Mail-Adresse ein, dann schicken wir Ihnen einen Link.",
        "reset_done": "Ihr Passwort ist geändert. Melden Sie sich mit dem neuen an.",
        "cancel_done": "Ihre Buchung ist storniert.",
        "reschedule_done": "Ihre Buchung ist verschoben auf {date}.",
        "details_saved": "Ihre Daten sind gespeichert.",
        "unsubscribed": "Erledigt: {business} schickt Ihnen keine Einladungen mehr.",
        "csrf_error": (
            "Dieses Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es"
            " noch einmal."
        ),
        "please_log_in": "Bitte melden Sie sich an, um Ihre Buchungen zu sehen.",
        "signup_intro": (
            "Legen Sie mit Ihrer E-Mail-Adresse ein Profil an, um Ihre Buchungen zu verwalten."
        ),
        "signup_sent": (
            "Sehen Sie in Ihr Postfach: Wir haben Ihnen einen Link zur Bestätigung geschickt."
        ),
        "verify_intro": (
            "Bestätigen Sie {email} mit dem Passwort, das Sie bei der Registrierung gewählt haben."
        ),
        "verify_wrong_password": (
            "Geben Sie das Passwort ein, das Sie bei der Registrierung gewählt haben."
        ),
        "err_verify_expired": (
            "Dieser Link ist abgelaufen. Registrieren Sie sich erneut, um einen neuen zu erhalten."
        ),
        "err_verify_superseded": (
            "{business} hat seit Ihrer Registrierung ein Profil für diese Adresse angelegt."
            " Wir haben einen neuen Link dorthin geschickt: Bestätigen Sie mit diesem."
        ),
        "r_pw_too_short": "Dieses Passwort ist zu kurz: Nehmen Sie mindestens {limit} Zeichen.",
        "r_pw_too_long": "Dieses Passwort ist zu lang: Nehmen Sie höchstens {limit} Zeichen.",
        "r_pw_too_common": (
            "Dieses Passwort gehört zu den häufigsten und ist leicht zu erraten:"
            " Wählen Sie ein anderes."
        ),
        "r_pw_personal": (
            "Das Passwort darf nicht Ihr Name, Ihre E-Mail-Adresse oder der Name"
            " von {business} sein."
        ),
        "r_email_empty": "Geben Sie eine E-Mail-Adresse ein.",
        "r_throttled": (
            "Zu viele fehlgeschlagene Versuche. Versuchen Sie es ab {date} noch einmal."
        ),
    },
}
