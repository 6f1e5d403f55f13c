"""The texts of the customer and business pages in English, Spanish, French and German.

A real application would keep these in gettext catalogs next to its templates;
for an example a dict keeps every language of one text side by side, so a
translator sees what each sentence says in the others.  The business pages'
texts (``BUSINESS_TEXTS``, keys starting ``b_`` or naming an enum value such as
``status_invited``) are merged into the same catalogs.
"""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale

from invitekit.i18n import negotiate_locale

from .campaign_texts import CAMPAIGN_TEXTS
from .formal_texts import FORMAL_TEXTS
from .link_texts import LINK_FORMAL_TEXTS, LINK_TEXTS
from .provider_texts import PROVIDER_FORMAL_TEXTS, PROVIDER_TEXTS
from .refusals import REFUSAL_TEXTS

__all__ = ["BUSINESS_TEXTS", "LANGUAGES", "TEXTS", "choose_locale", "plural", "text", "word"]

#: The languages the customer pages are written in, with their own names.
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch"}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "home_title": "Welcome",
        "home_intro": "Book your classes at {business}.",
        "home_login_not_offered": "Customer login is turned off here: book at the front desk.",
        "home_login_offered": "Log in to see your bookings.",
        "home_login_required": "Log in to book a class.",
        "home_login_satisfied": "You are logged in: new bookings go to your profile.",
        "my_bookings": "My bookings",
        "activate_title": "Activate your profile",
        "activate_intro": "Hello {name}, choose a password for {email}.",
        "activate_intro_anonymous": "Choose a password for {email}.",
        "link_valid_until": "This link works until {date}.",
        "password": "Password",
        "new_password": "New password",
        "password_hint": "At least {min} characters. Any characters, spaces too.",
        "activate_button": "Activate my profile",
        "activated": "Your profile is active. Welcome!",
        "link_problem_title": "This link does not work",
        "err_expired": "This link has expired. Ask {business} to invite you again.",
        "err_reset_expired": "This link has expired. Ask for a new one below.",
        "err_used": "Your profile is already activated. Log in with your email and password.",
        "err_reset_used": "This link was already used or replaced by a newer one.",
        "err_test": (
            "This link comes from a test invitation, so it activates nothing."
            " Your customers see the activation page here."
        ),
        "err_archived": "This profile is no longer active. Please contact {business}.",
        "err_invalid": (
            "This link is not valid. Check that you opened the whole link from the email."
        ),
        "login_title": "Log in",
        "email": "Email address",
        "login_button": "Log in",
        "login_failed": "The email address or the password is not right.",
        "logout": "Log out",
        "logged_out": "You are logged out.",
        "forgot_link": "Forgot your password?",
        "forgot_title": "Forgot your password?",
        "forgot_intro": (
            "Enter your email address and we will send you a link to choose a new one."
        ),
        "forgot_button": "Send me the link",
        "forgot_sent": "If this address belongs to a profile, an email is on its way.",
        "invalid_email": "This is not an email address.",
        "reset_title": "Choose a new password",
        "reset_button": "Save the new password",
        "reset_done": "Your password is changed. Log in with the new one.",
        "portal_title": "My bookings",
        "hello": "Hello {name}",
        "upcoming": "Upcoming",
        "past": "Past",
        "no_upcoming": "No upcoming bookings.",
        "no_past": "No past bookings.",
        "cancel": "Cancel",
        "reschedule": "Move to the same time next week",
        "cancelled": "Cancelled",
        "cancel_done": "Your booking is cancelled.",
        "reschedule_done": "Your booking is moved to {date}.",
        "refused_title": "This cannot be done now",
        "back_to_bookings": "Back to my bookings",
        "details_title": "My details",
        "first_name": "First name",
        "last_name": "Last name",
        "language": "Language",
        "save": "Save",
        "details_saved": "Your details are saved.",
        "email_change_title": "Change my email address",
        "new_email": "New email address",
        "current_password": "Your password",
        "email_change_button": "Send me a confirmation link",
        "email_change_sent": (
            "Check the inbox of the new address: we sent a link to confirm it. Your "
            "address changes only once you follow it."
        ),
        "email_change_wrong_password": "That is not your password.",
        "confirm_email_title": "Confirm your new email address",
        "confirm_email_intro": "Use {email} for your profile from now on?",
        "confirm_email_button": "Confirm my new address",
        "email_changed": "Done: your profile now uses {email}.",
        "err_email_taken": (
            "This address already belongs to another profile with {business}. The "
            "address was not changed."
        ),
        "err_email_change_used": (
            "This link was already used or replaced by a newer one. Ask for the "
            "change again from your profile."
        ),
        "err_email_change_expired": (
            "This link has expired. Ask for the change again from your profile."
        ),
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_intro": "Stop invitation emails from {business} to {email}?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed": "Done: {business} will send you no more invitation emails.",
        "csrf_error": "This form has expired. Go back, reload the page and try again.",
        "not_found": "This page does not exist.",
        "please_log_in": "Please log in to see your bookings.",
        "signup_link": "New here? Create a profile",
        "signup_title": "Create a profile",
        "signup_intro": (
            "Create a profile with your email address to see and manage your bookings."
        ),
        "signup_button": "Create my profile",
        "signup_sent": "Check your inbox: we sent you a link to confirm your address.",
        "verify_title": "Confirm your email address",
        "verify_intro": "Confirm {email} with the password you chose when you signed up.",
        "verify_button": "Confirm",
        "verify_wrong_password": "Enter the password you chose when you signed up.",
        "err_verify_expired": "This link has expired. Sign up again to get a new one.",
        "err_verify_superseded": (
            "{business} has added a profile for this address since you signed up. "
            "We sent a new link to it: confirm with that one."
        ),
    },
    "es": {
        "home_title": "Bienvenido",
        "home_intro": "Reserva tus clases en {business}.",
        "home_login_not_offered": (
            "Aquí no hay inicio de sesión para clientes: reserva en recepción."
        ),
        "home_login_offered": "Inicia sesión para ver tus reservas.",
        "home_login_required": "Inicia sesión para reservar una clase.",
        "home_login_satisfied": "Has iniciado sesión: las nuevas reservas van a tu perfil.",
        "my_bookings": "Mis reservas",
        "activate_title": "Activa tu perfil",
        "activate_intro": "Hola {name}, elige una contraseña para {email}.",
        "activate_intro_anonymous": "Elige una contraseña para {email}.",
        "link_valid_until": "Este enlace funciona hasta el {date}.",
        "password": "Contraseña",
        "new_password": "Nueva contraseña",
        "password_hint": "Al menos {min} caracteres. Cualquier carácter, también espacios.",
        "activate_button": "Activar mi perfil",
        "activated": "Tu perfil está activo. ¡Bienvenido!",
        "link_problem_title": "Este enlace no funciona",
        "err_expired": "Este enlace ha caducado. Pide a {business} que te invite de nuevo.",
        "err_reset_expired": "Este enlace ha caducado. Pide uno nuevo aquí abajo.",
        "err_used": "Tu perfil ya está activado. Inicia sesión con tu correo y tu contraseña.",
        "err_reset_used": "Este enlace ya se usó o fue sustituido por uno más reciente.",
        "err_test": (
            "Este enlace viene de una invitación de prueba, así que no activa nada."
            " Tus clientes ven aquí la página de activación."
        ),
        "err_archived": "Este perfil ya no está activo. Ponte en contacto con {business}.",
        "err_invalid": (
            "Este enlace no es válido. Comprueba que abriste el enlace completo del correo."
        ),
        "login_title": "Iniciar sesión",
        "email": "Correo electrónico",
        "login_button": "Iniciar sesión",
        "login_failed": "El correo electrónico o la contraseña no son correctos.",
        "logout": "Cerrar sesión",
        "logged_out": "Has cerrado la sesión.",
        "forgot_link": "¿Has olvidado tu contraseña?",
        "forgot_title": "¿Has olvidado tu contraseña?",
        "forgot_intro": (
            "Escribe tu correo electrónico y te enviaremos un enlace para elegir otra."
        ),
        "forgot_button": "Enviarme el enlace",
        "forgot_sent": "Si esta dirección pertenece a un perfil, te hemos enviado un correo.",
        "invalid_email": "Esto no es una dirección de correo electrónico.",
        "reset_title": "Elige una nueva contraseña",
        "reset_button": "Guardar la nueva contraseña",
        "reset_done": "Tu contraseña ha cambiado. Inicia sesión con la nueva.",
        "portal_title": "Mis reservas",
        "hello": "Hola {name}",
        "upcoming": "Próximas",
        "past": "Pasadas",
        "no_upcoming": "No tienes próximas reservas.",
        "no_past": "No tienes reservas pasadas.",
        "cancel": "Cancelar",
        "reschedule": "Pasar a la misma hora la semana que viene",
        "cancelled": "Cancelada",
        "cancel_done": "Tu reserva está cancelada.",
        "reschedule_done": "Tu reserva se ha pasado al {date}.",
        "refused_title": "Esto no se puede hacer ahora",
        "back_to_bookings": "Volver a mis reservas",
        "details_title": "Mis datos",
        "first_name": "Nombre",
        "last_name": "Apellidos",
        "language": "Idioma",
        "save": "Guardar",
        "details_saved": "Tus datos están guardados.",
        "email_change_title": "Cambiar mi dirección de correo",
        "new_email": "Nueva dirección de correo",
        "current_password": "Tu contraseña",
        "email_change_button": "Enviarme un enlace de confirmación",
        "email_change_sent": (
            "Revisa el buzón de la nueva dirección: te hemos enviado un enlace para "
            "confirmarla. Tu dirección solo cambia cuando lo abras."
        ),
        "email_change_wrong_password": "Esa no es tu contraseña.",
        "confirm_email_title": "Confirma tu nueva dirección de correo",
        "confirm_email_intro": "¿Usar {email} para tu perfil a partir de ahora?",
        "confirm_email_button": "Confirmar mi nueva dirección",
        "email_changed": "Hecho: tu perfil utiliza ahora {email}.",
        "err_email_taken": (
            "Esta dirección ya pertenece a otro perfil en {business}. La dirección "
            "no se ha cambiado."
        ),
        "err_email_change_used": (
            "Este enlace ya se usó o fue sustituido por uno más reciente. Vuelve a "
            "pedir el cambio desde tu perfil."
        ),
        "err_email_change_expired": (
            "Este enlace ha caducado. Vuelve a pedir el cambio desde tu perfil."
        ),
        "unsubscribe_title": "Darse de baja",
        "unsubscribe_intro": "¿Dejar de recibir invitaciones de {business} en {email}?",
        "unsubscribe_button": "Darme de baja",
        "unsubscribed": "Hecho: {business} no te enviará más invitaciones.",
        "csrf_error": "Este formulario ha caducado. Vuelve atrás, recarga la página e inténtalo.",
        "not_found": "Esta página no existe.",
        "please_log_in": "Inicia sesión para ver tus reservas.",
        "signup_link": "¿Eres nuevo? Crea un perfil",
        "signup_title": "Crear un perfil",
        "signup_intro": (
            "Crea un perfil con tu correo electrónico para ver y gestionar tus reservas."
        ),
        "signup_button": "Crear mi perfil",
        "signup_sent": "Revisa tu correo: te hemos enviado un enlace para confirmar tu dirección.",
        "verify_title": "Confirma tu correo electrónico",
        "verify_intro": "Confirma {email} con la contraseña que elegiste al registrarte.",
        "verify_button": "Confirmar",
        "verify_wrong_password": "Escribe la contraseña que elegiste al registrarte.",
        "err_verify_expired": "Este enlace ha caducado. Regístrate de nuevo para recibir otro.",
        "err_verify_superseded": (
            "{business} ha creado un perfil con esta dirección después de tu registro. "
            "Te hemos enviado un enlace nuevo: confirma con ese."
        ),
    },
    "fr": {
        "home_title": "Bienvenue",
        "home_intro": "Réservez vos cours chez {business}.",
        "home_login_not_offered": "Pas de connexion client ici : réservez à l’accueil.",
        "home_login_offered": "Connectez-vous pour voir vos réservations.",
        "home_login_required": "Connectez-vous pour réserver un cours.",
        "home_login_satisfied": (
            "Vous êtes connecté : les nouvelles réservations vont à votre profil."
        ),
        "my_bookings": "Mes réservations",
        "activate_title": "Activez votre profil",
        "activate_intro": "Bonjour {name}, choisissez un mot de passe pour {email}.",
        "activate_intro_anonymous": "Choisissez un mot de passe pour {email}.",
        "link_valid_until": "Ce lien fonctionne jusqu’au {date}.",
        "password": "Mot de passe",
        "new_password": "Nouveau mot de passe",
        "password_hint": "Au moins {min} caractères. Tous les caractères, espaces compris.",
        "activate_button": "Activer mon profil",
        "activated": "Votre profil est actif. Bienvenue !",
        "link_problem_title": "Ce lien ne fonctionne pas",
        "err_expired": "Ce lien a expiré. Demandez à {business} de vous inviter à nouveau.",
        "err_reset_expired": "Ce lien a expiré. Demandez-en un nouveau ci-dessous.",
        "err_used": (
            "Votre profil est déjà activé. Connectez-vous avec votre e-mail et mot de passe."
        ),
        "err_reset_used": "Ce lien a déjà été utilisé ou remplacé par un plus récent.",
        "err_test": (
            "Ce lien vient d’une invitation de test : il n’active rien."
            " Vos clients voient ici la page d’activation."
        ),
        "err_archived": "Ce profil n’est plus actif. Veuillez contacter {business}.",
        "err_invalid": (
            "Ce lien n’est pas valide. Vérifiez que vous avez ouvert le lien complet de l’e-mail."
        ),
        "login_title": "Connexion",
        "email": "Adresse e-mail",
        "login_button": "Se connecter",
        "login_failed": "L’adresse e-mail ou le mot de passe n’est pas correct.",
        "logout": "Se déconnecter",
        "logged_out": "Vous êtes déconnecté.",
        "forgot_link": "Mot de passe oublié ?",
        "forgot_title": "Mot de passe oublié ?",
        "forgot_intro": "Saisissez votre adresse e-mail : nous vous enverrons un lien.",
        "forgot_button": "M’envoyer le lien",
        "forgot_sent": "Si cette adresse appartient à un profil, un e-mail est en route.",
        "invalid_email": "Ce n’est pas une adresse e-mail.",
        "reset_title": "Choisissez un nouveau mot de passe",
        "reset_button": "Enregistrer le nouveau mot de passe",
        "reset_done": "Votre mot de passe est changé. Connectez-vous avec le nouveau.",
        "portal_title": "Mes réservations",
        "hello": "Bonjour {name}",
        "upcoming": "À venir",
        "past": "Passées",
        "no_upcoming": "Aucune réservation à venir.",
        "no_past": "Aucune réservation passée.",
        "cancel": "Annuler",
        "reschedule": "Déplacer à la même heure la semaine prochaine",
        "cancelled": "Annulée",
        "cancel_done": "Votre réservation est annulée.",
        "reschedule_done": "Votre réservation est déplacée au {date}.",
        "refused_title": "Ce n’est pas possible maintenant",
        "back_to_bookings": "Retour à mes réservations",
        "details_title": "Mes coordonnées",
        "first_name": "Prénom",
        "last_name": "Nom",
        "language": "Langue",
        "save": "Enregistrer",
        "details_saved": "Vos coordonnées sont enregistrées.",
        "email_change_title": "Changer mon adresse e-mail",
        "new_email": "Nouvelle adresse e-mail",
        "current_password": "Votre mot de passe",
        "email_change_button": "M’envoyer un lien de confirmation",
        "email_change_sent": (
            "Consultez la boîte de la nouvelle adresse : nous y avons envoyé un "
            "lien pour la confirmer. Votre adresse ne change qu’une fois ce lien "
            "suivi."
        ),
        "email_change_wrong_password": "Ce n’est pas votre mot de passe.",
        "confirm_email_title": "Confirmez votre nouvelle adresse e-mail",
        "confirm_email_intro": "Utiliser désormais {email} pour votre profil ?",
        "confirm_email_button": "Confirmer ma nouvelle adresse",
        "email_changed": "C’est fait : votre profil utilise maintenant {email}.",
        "err_email_taken": (
            "Cette adresse appartient déjà à un autre profil chez {business}. "
            "L’adresse n’a pas été changée."
        ),
        "err_email_change_used": (
            "Ce lien a déjà été utilisé ou remplacé par un plus récent. Redemandez "
            "le changement depuis votre profil."
        ),
        "err_email_change_expired": (
            "Ce lien a expiré. Redemandez le changement depuis votre profil."
        ),
        "unsubscribe_title": "Se désabonner",
        "unsubscribe_intro": "Ne plus recevoir d’invitations de {business} à {email} ?",
        "unsubscribe_button": "Me désabonner",
        "unsubscribed": "C’est fait : {business} ne vous enverra plus d’invitations.",
        "csrf_error": (
            "Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez."
        ),
        "not_found": "Cette page n’existe pas.",
        "please_log_in": "Connectez-vous pour voir vos réservations.",
        "signup_link": "Nouveau ? Créez un profil",
        "signup_title": "Créer un profil",
        "signup_intro": (
            "Créez un profil avec votre adresse e-mail pour voir et gérer vos réservations."
        ),
        "signup_button": "Créer mon profil",
        "signup_sent": (
            "Consultez votre boîte : nous vous avons envoyé un lien pour confirmer votre adresse."
        ),
        "verify_title": "Confirmez votre adresse e-mail",
        "verify_intro": "Confirmez {email} avec le mot de passe choisi lors de l’inscription.",
        "verify_button": "Confirmer",
        "verify_wrong_password": "Saisissez le mot de passe choisi lors de l’inscription.",
        "err_verify_expired": (
            "Ce lien a expiré. Inscrivez-vous à nouveau pour en recevoir un autre."
        ),
        "err_verify_superseded": (
            "{business} a créé un profil pour cette adresse depuis votre inscription. "
            "Nous y avons envoyé un nouveau lien : confirmez avec celui-ci."
        ),
    },
    "de": {
        "home_title": "Willkommen",
        "home_intro": "Buche deine Kurse bei {business}.",
        "home_login_not_offered": "Hier gibt es keine Kundenanmeldung: Buche am Empfang.",
        "home_login_offered": "Melde dich an, um deine Buchungen zu sehen.",
        "home_login_required": "Melde dich an, um einen Kurs zu buchen.",
        "home_login_satisfied": "Du bist angemeldet: Neue Buchungen gehen in dein Profil.",
        "my_bookings": "Meine Buchungen",
        "activate_title": "Profil aktivieren",
        "activate_intro": "Hallo {name}, wähle ein Passwort für {email}.",
        "activate_intro_anonymous": "Wähle ein Passwort für {email}.",
        "link_valid_until": "Dieser Link gilt bis {date}.",
        "password": "Passwort",
        "new_password": "Neues Passwort",
        "password_hint": "Mindestens {min} Zeichen. Alle Zeichen erlaubt, auch Leerzeichen.",
        "activate_button": "Mein Profil aktivieren",
        "activated": "Dein Profil ist aktiv. Willkommen!",
        "link_problem_title": "Dieser Link funktioniert nicht",
        "err_expired": "Dieser Link ist abgelaufen. Bitte {business}, dich erneut einzuladen.",
        "err_reset_expired": "Dieser Link ist abgelaufen. Fordere unten einen neuen an.",
        "err_used": ("Dein Profil ist bereits aktiviert. Melde dich mit E-Mail und Passwort an."),
        "err_reset_used": "Dieser Link wurde schon benutzt oder durch einen neueren ersetzt.",
        "err_test": (
            "Dieser Link stammt aus einer Testeinladung und aktiviert nichts."
            " Deine Kundinnen und Kunden sehen hier die Aktivierungsseite."
        ),
        "err_archived": "Dieses Profil ist nicht mehr aktiv. Bitte wende dich an {business}.",
        "err_invalid": (
            "Dieser Link ist ungültig. Prüfe, ob du den ganzen Link aus der E-Mail geöffnet hast."
        ),
        "login_title": "Anmelden",
        "email": "E-Mail-Adresse",
        "login_button": "Anmelden",
        "login_failed": "E-Mail-Adresse oder Passwort stimmen nicht.",
        "logout": "Abmelden",
        "logged_out": "Du bist abgemeldet.",
        "forgot_link": "Passwort vergessen?",
        "forgot_title": "Passwort vergessen?",
        "forgot_intro": "Gib deine E-Mail-Adresse ein, dann schicken wir dir einen Link.",
        "forgot_button": "Link senden",
        "forgot_sent": "Wenn diese Adresse zu einem Profil gehört, ist eine E-Mail unterwegs.",
        "invalid_email": "Das ist keine E-Mail-Adresse.",
        "reset_title": "Neues Passwort wählen",
        "reset_button": "Neues Passwort speichern",
        "reset_done": "Dein Passwort ist geändert. Melde dich mit dem neuen an.",
        "portal_title": "Meine Buchungen",
        "hello": "Hallo {name}",
        "upcoming": "Bevorstehend",
        "past": "Vergangen",
        "no_upcoming": "Keine bevorstehenden Buchungen.",
        "no_past": "Keine vergangenen Buchungen.",
        "cancel": "Stornieren",
        "reschedule": "Auf dieselbe Zeit nächste Woche verschieben",
        "cancelled": "Storniert",
        "cancel_done": "Deine Buchung ist storniert.",
        "reschedule_done": "Deine Buchung ist verschoben auf {date}.",
        "refused_title": "Das geht jetzt nicht",
        "back_to_bookings": "Zurück zu meinen Buchungen",
        "details_title": "Meine Daten",
        "first_name": "Vorname",
        "last_name": "Nachname",
        "language": "Sprache",
        "save": "Speichern",
        "details_saved": "Deine Daten sind gespeichert.",
        "email_change_title": "Meine E-Mail-Adresse ändern",
        "new_email": "Neue E-Mail-Adresse",
        "current_password": "Dein Passwort",
        "email_change_button": "Bestätigungslink senden",
        "email_change_sent": (
            "Schau ins Postfach der neuen Adresse: Wir haben einen Link geschickt, "
            "um sie zu bestätigen. Deine Adresse ändert sich erst, wenn du ihn "
            "öffnest."
        ),
        "email_change_wrong_password": "Das ist nicht dein Passwort.",
        "confirm_email_title": "Neue E-Mail-Adresse bestätigen",
        "confirm_email_intro": "Ab jetzt {email} für dein Profil verwenden?",
        "confirm_email_button": "Neue Adresse bestätigen",
        "email_changed": "Erledigt: Dein Profil verwendet jetzt {email}.",
        "err_email_taken": (
            "Diese Adresse gehört bereits zu einem anderen Profil bei {business}. "
            "Die Adresse wurde nicht geändert."
        ),
        "err_email_change_used": (
            "Dieser Link wurde schon benutzt oder durch einen neueren ersetzt. "
            "Fordere die Änderung in deinem Profil erneut an."
        ),
        "err_email_change_expired": (
            "Dieser Link ist abgelaufen. Fordere die Änderung in deinem Profil erneut an."
        ),
        "unsubscribe_title": "Keine Einladungen mehr erhalten",
        "unsubscribe_intro": "Keine Einladungen von {business} mehr an {email} senden?",
        "unsubscribe_button": "Keine Einladungen mehr erhalten",
        "unsubscribed": "Erledigt: {business} schickt dir keine Einladungen mehr.",
        "csrf_error": (
            "Dieses Formular ist abgelaufen. Lade die Seite neu und versuche es noch einmal."
        ),
        "not_found": "Diese Seite gibt es nicht.",
        "please_log_in": "Bitte melde dich an, um deine Buchungen zu sehen.",
        "signup_link": "Neu hier? Profil anlegen",
        "signup_title": "Profil anlegen",
        "signup_intro": (
            "Leg mit deiner E-Mail-Adresse ein Profil an, um deine Buchungen zu verwalten."
        ),
        "signup_button": "Mein Profil anlegen",
        "signup_sent": (
            "Sieh in dein Postfach: Wir haben dir einen Link zur Bestätigung geschickt."
        ),
        "verify_title": "E-Mail-Adresse bestätigen",
        "verify_intro": (
            "Bestätige {email} mit dem Passwort, das du bei der Registrierung gewählt hast."
        ),
        "verify_button": "Bestätigen",
        "verify_wrong_password": (
            "Gib das Passwort ein, das du bei der Registrierung gewählt hast."
        ),
        "err_verify_expired": (
            "Dieser Link ist abgelaufen. Registriere dich erneut, um einen neuen zu erhalten."
        ),
        "err_verify_superseded": (
            "{business} hat seit deiner Registrierung ein Profil für diese Adresse angelegt. "
            "Wir haben einen neuen Link dorthin geschickt: Bestätige mit diesem."
        ),
    },
}


def choose_locale(preferred: Iterable[str | None], *, default: str) -> Locale:
    """The locale for a customer page: the first of ``preferred`` the pages are written in.

    ``preferred`` is the customer's stored locale (when known) followed by the
    browser's ``Accept-Language`` choices; the business default comes last.
    ``de_AT`` keeps its territory (dates are formatted for Austria) while the
    texts come from ``de``.
    """
    return negotiate_locale(preferred, default=default)


def text(locale: Locale, key: str, *, formal: bool = False, **values: object) -> str:
    """The text ``key`` in ``locale``'s language (English when missing), filled with ``values``.

    With ``formal`` (the business's ``Business.formal``), the formal variant of
    a text that addresses the customer, where the language has one
    (:data:`~examples.webapp.formal_texts.FORMAL_TEXTS`: German "Sie", Spanish "usted").
    """
    if formal and key in FORMAL_TEXTS.get(locale.language, {}):
        return FORMAL_TEXTS[locale.language][key].format(**values)
    catalog = TEXTS.get(locale.language, TEXTS["en"])
    return catalog.get(key, TEXTS["en"][key]).format(**values)


#: The business pages' texts.  Keys ending in ``_one``/``_other`` are the plural
#: forms of one text, chosen by :func:`plural` with the language's CLDR rule.
BUSINESS_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "b_brand": "{business} · business",
        "b_customers": "Customers",
        "b_invite": "Invite",
        "b_mailbox": "Mailbox",
        "b_settings": "Settings",
        "b_deliver_now": "Deliver now",
        "b_leave": "Leave",
        "b_login_title": "Business login",
        "b_login_heading": "Business pages",
        "b_login_intro": "Give the admin password (the demo prints it when it starts).",
        "b_admin_password": "Admin password",
        "b_enter": "Enter",
        "b_wrong_password": "That is not the admin password.",
        "b_all": "All",
        "b_invite_customers": "Invite customers…",
        "b_name": "Name",
        "b_email": "Email",
        "b_language": "Language",
        "b_status": "Status",
        "b_notes": "Notes",
        "b_no_name": "no name",
        "b_nobody": "Nobody here.",
        "b_add_customer": "Add a customer",
        "b_first_name": "First name",
        "b_last_name": "Last name",
        "b_studio_default": "the studio's default",
        "b_invite_at_once": "Invite at once",
        "b_add": "Add",
        "b_archived_flag": "archived",
        "b_unsubscribed_flag": "unsubscribed",
        "b_unsubscribed_long": "unsubscribed from invitations",
        "b_history": "History",
        "b_when": "When",
        "b_what": "What",
        "b_detail": "Detail",
        "b_emails": "Emails",
        "b_created": "Created",
        "b_kind": "Kind",
        "b_state": "State",
        "b_attempts": "Attempts",
        "b_last_error": "Last error",
        "b_bookings": "Bookings",
        "b_no_bookings": "None yet (demo bookings appear when the customer activates).",
        "b_action_invite": "Invite",
        "b_action_archive": "Archive",
        "b_action_restore": "Restore",
        "b_invite_title": "Invite customers",
        "b_whom": "Whom",
        "b_audience_all": "Everybody who can be invited",
        "b_audience_added": "Added (never invited)",
        "b_audience_invited": "Invited (not activated yet)",
        "b_group": "Group: {name}",
        "b_text_language": "Text of the language",
        "b_show": "Show",
        "b_subject": "Subject",
        "b_subject_label": "Subject:",
        "b_text": "Text",
        "b_saved_text_hint": (
            "The saved text for {language}. Left unchanged, every customer gets the text of"
            " their own language; changed, everyone invited now gets this text (greeting,"
            " link and footer stay in their language)."
        ),
        "b_shipped_text_hint": (
            "The shipped text for {language}. Left unchanged, every customer gets the text of"
            " their own language; changed, everyone invited now gets this text (greeting,"
            " link and footer stay in their language)."
        ),
        "b_placeholders": "Placeholders:",
        "b_save_text": "Save the changed text for next time",
        "b_preview": "Preview",
        "b_send_test": "Send me a test ({email})",
        "b_invite_n": "Invite {n}",
        "b_preview_for": "Preview for {email}",
        "b_will_be_invited_one": "{n} will be invited",
        "b_will_be_invited_other": "{n} will be invited",
        "b_skipped_one": "{n} skipped:",
        "b_skipped_other": "{n} skipped:",
        "b_invitations_sent_one": "{n} invitation sent",
        "b_invitations_sent_other": "{n} invitations sent",
        "b_skipped_list": "skipped: {list}",
        "b_invitation_sent": "Invitation sent.",
        "b_archived_done": "Archived: no invitations, no login, old links dead.",
        "b_restored_done": "Restored with the status they had.",
        "b_not_invited": "Not invited: {error}",
        "b_not_added": "Not added: {error}",
        "b_added": "Added {email}.",
        "b_added_invited": "Added {email} and invited.",
        "b_nothing_to_preview": (
            "Nobody in this audience can be invited: there is nothing to preview."
        ),
        "b_test_sent": "Test invitation sent to {email} (see the Mailbox).",
        "b_test_failed": "The test invitation could not be sent: {error}",
        "b_deliver_hint": (
            "Nothing was sent: delivery starts with the “Deliver now” button at the top of"
            " every page."
        ),
        "b_delivered": (
            "Delivered: {sent} sent, {retrying} to retry, {failed} failed, {cancelled} withdrawn."
        ),
        "b_mailbox_intro": (
            "Every email the studio sent, as the .eml files in the outbox folder. In the demo"
            " this stands in for your customers' inboxes."
        ),
        "b_to": "To",
        "b_date": "Date",
        "b_no_emails": "No emails yet.",
        "status_added": "added",
        "status_invited": "invited",
        "status_accepted": "accepted",
        "filter_added": "Added",
        "filter_invited": "Invited",
        "filter_accepted": "Accepted",
        "filter_archived": "Archived",
        "skip_accepted": "already accepted",
        "skip_archived": "archived",
        "skip_unsubscribed": "unsubscribed",
        "skip_already_pending": "invitation already pending",
        "skip_invited_recently": "invited too recently",
        "event_added": "added",
        "event_updated": "details changed",
        "event_email_changed": "email address changed",
        "event_invitation_queued": "invitation queued",
        "event_invitation_cancelled": "invitation withdrawn",
        "event_delivered": "email delivered",
        "event_delivery_failed": "delivery failed",
        "event_accepted": "profile activated",
        "event_archived": "archived",
        "event_restored": "restored",
        "event_unsubscribed": "unsubscribed",
        "event_password_reset_requested": "password reset requested",
        "event_password_reset": "password changed",
        "event_login_failed": "login failed",
        "event_logged_in": "logged in",
        "event_group_joined": "joined a group",
        "kind_invitation": "invitation",
        "kind_reminder": "reminder",
        "kind_password_reset": "password reset",
        "kind_provider_hint": "sign-in hint",
        "kind_email_verification": "address confirmation",
        "kind_account_exists": "profile already exists",
        "kind_email_change": "new address confirmation",
        "kind_email_change_notice": "address change notice",
        "event_email_change_requested": "asked to change the email address",
        "state_pending": "waiting",
        "state_sent": "sent",
        "state_failed": "failed",
        "state_cancelled": "withdrawn",
        "b_rule_cancel": "Cancelling",
        "b_rule_reschedule": "Rescheduling",
        "b_may_cancel": "Customers may cancel",
        "b_may_reschedule": "Customers may reschedule",
        "mode_always": "always (until the class starts)",
        "mode_never": "never online",
        "mode_windowed": "until some hours before",
        "b_hours_before": "Hours before the start",
        "b_after_that": "After that",
        "outcome_free": "free of charge",
        "outcome_fee": "with a fee",
        "outcome_forfeit": "the class is lost",
        "outcome_refused": "not possible",
        "outcome_needs_staff": "the staff decide",
        "b_max_reschedules": "At most this many reschedules per booking (empty: no limit)",
        "b_booking_page": "Booking page",
        "b_login_on_booking_page": "Login on the booking page",
        "login_disabled": "no customer login",
        "login_optional": "optional",
        "login_required": "required",
        "b_save": "Save",
        "b_stored_as_json": "Stored as JSON",
        "b_settings_saved": "Settings saved.",
        "b_back_to_mailbox": "Back to the mailbox",
        "booking_booked": "booked",
        "booking_cancelled": "cancelled",
    },
}

BUSINESS_TEXTS["es"] = {
    "b_brand": "{business} · negocio",
    "b_customers": "Clientes",
    "b_invite": "Invitar",
    "b_mailbox": "Buzón",
    "b_settings": "Ajustes",
    "b_deliver_now": "Enviar ahora",
    "b_leave": "Salir",
    "b_login_title": "Acceso del negocio",
    "b_login_heading": "Páginas del negocio",
    "b_login_intro": "Escribe la contraseña de administración (la demo la muestra al arrancar).",
    "b_admin_password": "Contraseña de administración",
    "b_enter": "Entrar",
    "b_wrong_password": "Esa no es la contraseña de administración.",
    "b_all": "Todos",
    "b_invite_customers": "Invitar a clientes…",
    "b_name": "Nombre",
    "b_email": "Correo electrónico",
    "b_language": "Idioma",
    "b_status": "Estado",
    "b_notes": "Notas",
    "b_no_name": "sin nombre",
    "b_nobody": "No hay nadie.",
    "b_add_customer": "Añadir un cliente",
    "b_first_name": "Nombre",
    "b_last_name": "Apellidos",
    "b_studio_default": "el predeterminado del estudio",
    "b_invite_at_once": "Invitar ahora mismo",
    "b_add": "Añadir",
    "b_archived_flag": "archivado",
    "b_unsubscribed_flag": "dado de baja",
    "b_unsubscribed_long": "dado de baja de las invitaciones",
    "b_history": "Historial",
    "b_when": "Cuándo",
    "b_what": "Qué",
    "b_detail": "Detalle",
    "b_emails": "Correos",
    "b_created": "Creado",
    "b_kind": "Tipo",
    "b_state": "Situación",
    "b_attempts": "Intentos",
    "b_last_error": "Último error",
    "b_bookings": "Reservas",
    "b_no_bookings": (
        "Ninguna todavía (las reservas de la demo aparecen cuando el cliente activa su perfil)."
    ),
    "b_action_invite": "Invitar",
    "b_action_archive": "Archivar",
    "b_action_restore": "Restaurar",
    "b_invite_title": "Invitar a clientes",
    "b_whom": "A quién",
    "b_audience_all": "Todos los que se pueden invitar",
    "b_audience_added": "Añadidos (nunca invitados)",
    "b_audience_invited": "Invitados (aún sin activar)",
    "b_group": "Grupo: {name}",
    "b_text_language": "Texto en el idioma",
    "b_show": "Mostrar",
    "b_subject": "Asunto",
    "b_subject_label": "Asunto:",
    "b_text": "Texto",
    "b_saved_text_hint": (
        "El texto guardado para {language}. Si no lo cambias, cada cliente recibe el texto"
        " en su propio idioma; si lo cambias, todos los invitados ahora reciben este texto"
        " (el saludo, el enlace y el pie siguen en su idioma)."
    ),
    "b_shipped_text_hint": (
        "El texto de serie para {language}. Si no lo cambias, cada cliente recibe el texto"
        " en su propio idioma; si lo cambias, todos los invitados ahora reciben este texto"
        " (el saludo, el enlace y el pie siguen en su idioma)."
    ),
    "b_placeholders": "Marcadores:",
    "b_save_text": "Guardar el texto cambiado para la próxima vez",
    "b_preview": "Vista previa",
    "b_send_test": "Enviarme una prueba ({email})",
    "b_invite_n": "Invitar a {n}",
    "b_preview_for": "Vista previa para {email}",
    "b_will_be_invited_one": "Se invitará a {n} persona",
    "b_will_be_invited_other": "Se invitará a {n} personas",
    "b_skipped_one": "{n} persona omitida:",
    "b_skipped_other": "{n} personas omitidas:",
    "b_invitations_sent_one": "{n} invitación enviada",
    "b_invitations_sent_other": "{n} invitaciones enviadas",
    "b_skipped_list": "omitidos: {list}",
    "b_invitation_sent": "Invitación enviada.",
    "b_archived_done": (
        "Archivado: sin invitaciones, sin inicio de sesión, los enlaces antiguos ya no sirven."
    ),
    "b_restored_done": "Restaurado con el estado que tenía.",
    "b_not_invited": "No se ha invitado: {error}",
    "b_not_added": "No se ha añadido: {error}",
    "b_added": "Añadido {email}.",
    "b_added_invited": "Añadido e invitado {email}.",
    "b_nothing_to_preview": (
        "No se puede invitar a nadie de este público: no hay nada que previsualizar."
    ),
    "b_test_sent": "Invitación de prueba enviada a {email} (mira el buzón).",
    "b_test_failed": "No se pudo enviar la invitación de prueba: {error}",
    "b_deliver_hint": (
        "No se ha enviado nada: el envío empieza con el botón «Enviar ahora» en la parte"
        " superior de cada página."
    ),
    "b_delivered": (
        "Entrega: {sent} enviados, {retrying} por reintentar, {failed} fallidos,"
        " {cancelled} retirados."
    ),
    "b_mailbox_intro": (
        "Todos los correos que ha enviado el estudio, como archivos .eml de la carpeta de"
        " salida. En la demo sustituye a los buzones de tus clientes."
    ),
    "b_to": "Para",
    "b_date": "Fecha",
    "b_no_emails": "Todavía no hay correos.",
    "status_added": "añadido",
    "status_invited": "invitado",
    "status_accepted": "activo",
    "filter_added": "Añadidos",
    "filter_invited": "Invitados",
    "filter_accepted": "Activos",
    "filter_archived": "Archivados",
    "skip_accepted": "ya activos",
    "skip_archived": "archivados",
    "skip_unsubscribed": "dados de baja",
    "skip_already_pending": "con una invitación pendiente",
    "skip_invited_recently": "invitados hace muy poco",
    "event_added": "añadido",
    "event_updated": "datos cambiados",
    "event_email_changed": "correo cambiado",
    "event_invitation_queued": "invitación en cola",
    "event_invitation_cancelled": "invitación retirada",
    "event_delivered": "correo entregado",
    "event_delivery_failed": "entrega fallida",
    "event_accepted": "perfil activado",
    "event_archived": "archivado",
    "event_restored": "restaurado",
    "event_unsubscribed": "dado de baja",
    "event_password_reset_requested": "pidió restablecer la contraseña",
    "event_password_reset": "contraseña cambiada",
    "event_login_failed": "inicio de sesión fallido",
    "event_logged_in": "inició sesión",
    "event_group_joined": "se unió a un grupo",
    "kind_invitation": "invitación",
    "kind_reminder": "recordatorio",
    "kind_password_reset": "restablecer contraseña",
    "kind_provider_hint": "aviso de inicio de sesión",
    "kind_email_verification": "confirmación de dirección",
    "kind_account_exists": "el perfil ya existe",
    "kind_email_change": "confirmación de la nueva dirección",
    "kind_email_change_notice": "aviso de cambio de dirección",
    "event_email_change_requested": "pidió cambiar la dirección de correo",
    "state_pending": "en espera",
    "state_sent": "enviado",
    "state_failed": "fallido",
    "state_cancelled": "retirado",
    "b_rule_cancel": "Cancelar",
    "b_rule_reschedule": "Cambiar de hora",
    "b_may_cancel": "Los clientes pueden cancelar",
    "b_may_reschedule": "Los clientes pueden cambiar de hora",
    "mode_always": "siempre (hasta que empiece la clase)",
    "mode_never": "nunca por internet",
    "mode_windowed": "hasta unas horas antes",
    "b_hours_before": "Horas antes del comienzo",
    "b_after_that": "Después",
    "outcome_free": "sin coste",
    "outcome_fee": "con un cargo",
    "outcome_forfeit": "se pierde la clase",
    "outcome_refused": "no es posible",
    "outcome_needs_staff": "decide el personal",
    "b_max_reschedules": "Cambios de hora como máximo por reserva (vacío: sin límite)",
    "b_booking_page": "Página de reservas",
    "b_login_on_booking_page": "Inicio de sesión en la página de reservas",
    "login_disabled": "sin inicio de sesión para clientes",
    "login_optional": "opcional",
    "login_required": "obligatorio",
    "b_save": "Guardar",
    "b_stored_as_json": "Guardado como JSON",
    "b_settings_saved": "Ajustes guardados.",
    "b_back_to_mailbox": "Volver al buzón",
    "booking_booked": "reservada",
    "booking_cancelled": "cancelada",
}
BUSINESS_TEXTS["fr"] = {
    "b_brand": "{business} · espace pro",
    "b_customers": "Clients",
    "b_invite": "Inviter",
    "b_mailbox": "Boîte mail",
    "b_settings": "Réglages",
    "b_deliver_now": "Envoyer maintenant",
    "b_leave": "Quitter",
    "b_login_title": "Connexion pro",
    "b_login_heading": "Espace professionnel",
    "b_login_intro": (
        "Saisissez le mot de passe d’administration (la démo l’affiche au démarrage)."
    ),
    "b_admin_password": "Mot de passe d’administration",
    "b_enter": "Entrer",
    "b_wrong_password": "Ce n’est pas le mot de passe d’administration.",
    "b_all": "Tous",
    "b_invite_customers": "Inviter des clients…",
    "b_name": "Nom",
    "b_email": "E-mail",
    "b_language": "Langue",
    "b_status": "Statut",
    "b_notes": "Remarques",
    "b_no_name": "sans nom",
    "b_nobody": "Personne ici.",
    "b_add_customer": "Ajouter un client",
    "b_first_name": "Prénom",
    "b_last_name": "Nom de famille",
    "b_studio_default": "celle du studio par défaut",
    "b_invite_at_once": "Inviter tout de suite",
    "b_add": "Ajouter",
    "b_archived_flag": "archivé",
    "b_unsubscribed_flag": "désabonné",
    "b_unsubscribed_long": "désabonné des invitations",
    "b_history": "Historique",
    "b_when": "Quand",
    "b_what": "Quoi",
    "b_detail": "Détail",
    "b_emails": "E-mails",
    "b_created": "Créé",
    "b_kind": "Type",
    "b_state": "État",
    "b_attempts": "Tentatives",
    "b_last_error": "Dernière erreur",
    "b_bookings": "Réservations",
    "b_no_bookings": (
        "Aucune pour l’instant (les réservations de la démo apparaissent quand le client"
        " active son profil)."
    ),
    "b_action_invite": "Inviter",
    "b_action_archive": "Archiver",
    "b_action_restore": "Restaurer",
    "b_invite_title": "Inviter des clients",
    "b_whom": "Qui",
    "b_audience_all": "Toutes les personnes qu’on peut inviter",
    "b_audience_added": "Ajoutés (jamais invités)",
    "b_audience_invited": "Invités (pas encore activés)",
    "b_group": "Groupe : {name}",
    "b_text_language": "Texte de la langue",
    "b_show": "Afficher",
    "b_subject": "Objet",
    "b_subject_label": "Objet :",
    "b_text": "Texte",
    "b_saved_text_hint": (
        "Le texte enregistré pour : {language}. Sans modification, chaque client reçoit le"
        " texte de sa propre langue ; modifié, toutes les personnes invitées maintenant"
        " reçoivent ce texte (la salutation, le lien et le pied de page restent dans leur"
        " langue)."
    ),
    "b_shipped_text_hint": (
        "Le texte fourni pour : {language}. Sans modification, chaque client reçoit le"
        " texte de sa propre langue ; modifié, toutes les personnes invitées maintenant"
        " reçoivent ce texte (la salutation, le lien et le pied de page restent dans leur"
        " langue)."
    ),
    "b_placeholders": "Variables :",
    "b_save_text": "Enregistrer le texte modifié pour la prochaine fois",
    "b_preview": "Aperçu",
    "b_send_test": "M’envoyer un test ({email})",
    "b_invite_n": "Inviter {n}",
    "b_preview_for": "Aperçu pour {email}",
    "b_will_be_invited_one": "{n} personne sera invitée",
    "b_will_be_invited_other": "{n} personnes seront invitées",
    "b_skipped_one": "{n} personne ignorée :",
    "b_skipped_other": "{n} personnes ignorées :",
    "b_invitations_sent_one": "{n} invitation envoyée",
    "b_invitations_sent_other": "{n} invitations envoyées",
    "b_skipped_list": "ignorées : {list}",
    "b_invitation_sent": "Invitation envoyée.",
    "b_archived_done": (
        "Archivé : plus d’invitations, plus de connexion, les anciens liens ne marchent plus."
    ),
    "b_restored_done": "Restauré avec le statut qu’il avait.",
    "b_not_invited": "Pas invité : {error}",
    "b_not_added": "Pas ajouté : {error}",
    "b_added": "{email} ajouté.",
    "b_added_invited": "{email} ajouté et invité.",
    "b_nothing_to_preview": (
        "Personne dans ce public ne peut être invité : il n’y a rien à prévisualiser."
    ),
    "b_test_sent": "Invitation de test envoyée à {email} (voir la boîte mail).",
    "b_test_failed": "L’invitation de test n’a pas pu être envoyée : {error}",
    "b_deliver_hint": (
        "Rien n’a été envoyé : l’envoi commence avec le bouton « Envoyer maintenant » en haut"
        " de chaque page."
    ),
    "b_delivered": (
        "Envoi : {sent} envoyés, {retrying} à réessayer, {failed} en échec, {cancelled} retirés."
    ),
    "b_mailbox_intro": (
        "Tous les e-mails envoyés par le studio, sous forme de fichiers .eml du dossier"
        " d’envoi. Dans la démo, ils tiennent lieu des boîtes de réception de vos clients."
    ),
    "b_to": "À",
    "b_date": "Date",
    "b_no_emails": "Aucun e-mail pour l’instant.",
    "status_added": "ajouté",
    "status_invited": "invité",
    "status_accepted": "actif",
    "filter_added": "Ajoutés",
    "filter_invited": "Invités",
    "filter_accepted": "Actifs",
    "filter_archived": "Archivés",
    "skip_accepted": "déjà actifs",
    "skip_archived": "archivés",
    "skip_unsubscribed": "désabonnés",
    "skip_already_pending": "invitation déjà en attente",
    "skip_invited_recently": "invités trop récemment",
    "event_added": "ajouté",
    "event_updated": "coordonnées modifiées",
    "event_email_changed": "adresse e-mail modifiée",
    "event_invitation_queued": "invitation en file d’attente",
    "event_invitation_cancelled": "invitation retirée",
    "event_delivered": "e-mail remis",
    "event_delivery_failed": "échec de l’envoi",
    "event_accepted": "profil activé",
    "event_archived": "archivé",
    "event_restored": "restauré",
    "event_unsubscribed": "désabonné",
    "event_password_reset_requested": "réinitialisation du mot de passe demandée",
    "event_password_reset": "mot de passe changé",
    "event_login_failed": "échec de connexion",
    "event_logged_in": "connecté",
    "event_group_joined": "a rejoint un groupe",
    "kind_invitation": "invitation",
    "kind_reminder": "rappel",
    "kind_password_reset": "réinitialisation du mot de passe",
    "kind_provider_hint": "rappel du mode de connexion",
    "kind_email_verification": "confirmation d’adresse",
    "kind_account_exists": "profil déjà existant",
    "kind_email_change": "confirmation de la nouvelle adresse",
    "kind_email_change_notice": "avis de changement d’adresse",
    "event_email_change_requested": "changement d’adresse e-mail demandé",
    "state_pending": "en attente",
    "state_sent": "envoyé",
    "state_failed": "en échec",
    "state_cancelled": "retiré",
    "b_rule_cancel": "Annulation",
    "b_rule_reschedule": "Déplacement",
    "b_may_cancel": "Les clients peuvent annuler",
    "b_may_reschedule": "Les clients peuvent déplacer une réservation",
    "mode_always": "toujours (jusqu’au début du cours)",
    "mode_never": "jamais en ligne",
    "mode_windowed": "jusqu’à quelques heures avant",
    "b_hours_before": "Heures avant le début",
    "b_after_that": "Ensuite",
    "outcome_free": "sans frais",
    "outcome_fee": "avec des frais",
    "outcome_forfeit": "le cours est perdu",
    "outcome_refused": "pas possible",
    "outcome_needs_staff": "l’équipe décide",
    "b_max_reschedules": "Nombre maximal de déplacements par réservation (vide : sans limite)",
    "b_booking_page": "Page de réservation",
    "b_login_on_booking_page": "Connexion sur la page de réservation",
    "login_disabled": "pas de connexion client",
    "login_optional": "facultative",
    "login_required": "obligatoire",
    "b_save": "Enregistrer",
    "b_stored_as_json": "Enregistré en JSON",
    "b_settings_saved": "Réglages enregistrés.",
    "b_back_to_mailbox": "Retour à la boîte mail",
    "booking_booked": "réservée",
    "booking_cancelled": "annulée",
}
BUSINESS_TEXTS["de"] = {
    "b_brand": "{business} · Verwaltung",
    "b_customers": "Kundschaft",
    "b_invite": "Einladen",
    "b_mailbox": "Postfach",
    "b_settings": "Einstellungen",
    "b_deliver_now": "Jetzt zustellen",
    "b_leave": "Verlassen",
    "b_login_title": "Anmeldung für das Studio",
    "b_login_heading": "Verwaltung",
    "b_login_intro": "Gib das Admin-Passwort ein (die Demo zeigt es beim Start an).",
    "b_admin_password": "Admin-Passwort",
    "b_enter": "Weiter",
    "b_wrong_password": "Das ist nicht das Admin-Passwort.",
    "b_all": "Alle",
    "b_invite_customers": "Kundinnen und Kunden einladen…",
    "b_name": "Name",
    "b_email": "E-Mail",
    "b_language": "Sprache",
    "b_status": "Stand",
    "b_notes": "Hinweise",
    "b_no_name": "ohne Namen",
    "b_nobody": "Hier ist niemand.",
    "b_add_customer": "Kundin oder Kunden hinzufügen",
    "b_first_name": "Vorname",
    "b_last_name": "Nachname",
    "b_studio_default": "Standard des Studios",
    "b_invite_at_once": "Sofort einladen",
    "b_add": "Hinzufügen",
    "b_archived_flag": "archiviert",
    "b_unsubscribed_flag": "abbestellt",
    "b_unsubscribed_long": "bekommt keine Einladungen mehr",
    "b_history": "Verlauf",
    "b_when": "Wann",
    "b_what": "Was",
    "b_detail": "Einzelheiten",
    "b_emails": "E-Mails",
    "b_created": "Erstellt",
    "b_kind": "Art",
    "b_state": "Zustand",
    "b_attempts": "Versuche",
    "b_last_error": "Letzter Fehler",
    "b_bookings": "Buchungen",
    "b_no_bookings": (
        "Noch keine (die Demo-Buchungen erscheinen, sobald das Profil aktiviert ist)."
    ),
    "b_action_invite": "Einladen",
    "b_action_archive": "Archivieren",
    "b_action_restore": "Wiederherstellen",
    "b_invite_title": "Kundinnen und Kunden einladen",
    "b_whom": "Wen",
    "b_audience_all": "Alle, die eingeladen werden können",
    "b_audience_added": "Hinzugefügt (nie eingeladen)",
    "b_audience_invited": "Eingeladen (noch nicht aktiviert)",
    "b_group": "Gruppe: {name}",
    "b_text_language": "Text in der Sprache",
    "b_show": "Anzeigen",
    "b_subject": "Betreff",
    "b_subject_label": "Betreff:",
    "b_text": "Text",
    "b_saved_text_hint": (
        "Der gespeicherte Text für {language}. Bleibt er unverändert, bekommt jede Person den"
        " Text in ihrer eigenen Sprache; geändert bekommen alle, die jetzt eingeladen werden,"
        " diesen Text (Anrede, Link und Fußzeile bleiben in ihrer Sprache)."
    ),
    "b_shipped_text_hint": (
        "Der mitgelieferte Text für {language}. Bleibt er unverändert, bekommt jede Person den"
        " Text in ihrer eigenen Sprache; geändert bekommen alle, die jetzt eingeladen werden,"
        " diesen Text (Anrede, Link und Fußzeile bleiben in ihrer Sprache)."
    ),
    "b_placeholders": "Platzhalter:",
    "b_save_text": "Geänderten Text für das nächste Mal speichern",
    "b_preview": "Vorschau",
    "b_send_test": "Test an mich senden ({email})",
    "b_invite_n": "{n} einladen",
    "b_preview_for": "Vorschau für {email}",
    "b_will_be_invited_one": "{n} Person wird eingeladen",
    "b_will_be_invited_other": "{n} Personen werden eingeladen",
    "b_skipped_one": "{n} übersprungen:",
    "b_skipped_other": "{n} übersprungen:",
    "b_invitations_sent_one": "{n} Einladung gesendet",
    "b_invitations_sent_other": "{n} Einladungen gesendet",
    "b_skipped_list": "übersprungen: {list}",
    "b_invitation_sent": "Einladung gesendet.",
    "b_archived_done": (
        "Archiviert: keine Einladungen, keine Anmeldung, alte Links funktionieren nicht mehr."
    ),
    "b_restored_done": "Mit dem früheren Stand wiederhergestellt.",
    "b_not_invited": "Nicht eingeladen: {error}",
    "b_not_added": "Nicht hinzugefügt: {error}",
    "b_added": "{email} hinzugefügt.",
    "b_added_invited": "{email} hinzugefügt und eingeladen.",
    "b_nothing_to_preview": (
        "In dieser Auswahl kann niemand eingeladen werden: Es gibt keine Vorschau."
    ),
    "b_test_sent": "Testeinladung an {email} gesendet (siehe Postfach).",
    "b_test_failed": "Die Testeinladung konnte nicht gesendet werden: {error}",
    "b_deliver_hint": (
        "Nichts gesendet: Die Zustellung startet mit der Schaltfläche „Jetzt zustellen“ oben"
        " auf jeder Seite."
    ),
    "b_delivered": (
        "Zugestellt: {sent} gesendet, {retrying} zum erneuten Versuch, {failed} fehlgeschlagen,"
        " {cancelled} zurückgezogen."
    ),
    "b_mailbox_intro": (
        "Alle E-Mails, die das Studio gesendet hat, als .eml-Dateien im Ausgangsordner. In der"
        " Demo stehen sie für die Posteingänge deiner Kundschaft."
    ),
    "b_to": "An",
    "b_date": "Datum",
    "b_no_emails": "Noch keine E-Mails.",
    "status_added": "hinzugefügt",
    "status_invited": "eingeladen",
    "status_accepted": "aktiv",
    "filter_added": "Hinzugefügt",
    "filter_invited": "Eingeladen",
    "filter_accepted": "Aktiv",
    "filter_archived": "Archiviert",
    "skip_accepted": "schon aktiv",
    "skip_archived": "archiviert",
    "skip_unsubscribed": "abbestellt",
    "skip_already_pending": "Einladung schon unterwegs",
    "skip_invited_recently": "erst vor Kurzem eingeladen",
    "event_added": "hinzugefügt",
    "event_updated": "Daten geändert",
    "event_email_changed": "E-Mail-Adresse geändert",
    "event_invitation_queued": "Einladung eingereiht",
    "event_invitation_cancelled": "Einladung zurückgezogen",
    "event_delivered": "E-Mail zugestellt",
    "event_delivery_failed": "Zustellung fehlgeschlagen",
    "event_accepted": "Profil aktiviert",
    "event_archived": "archiviert",
    "event_restored": "wiederhergestellt",
    "event_unsubscribed": "Einladungen abbestellt",
    "event_password_reset_requested": "Passwort-Zurücksetzung angefordert",
    "event_password_reset": "Passwort geändert",
    "event_login_failed": "Anmeldung fehlgeschlagen",
    "event_logged_in": "angemeldet",
    "event_group_joined": "einer Gruppe beigetreten",
    "kind_invitation": "Einladung",
    "kind_reminder": "Erinnerung",
    "kind_password_reset": "Passwort zurücksetzen",
    "kind_provider_hint": "Hinweis zur Anmeldung",
    "kind_email_verification": "Adressbestätigung",
    "kind_account_exists": "Profil gibt es schon",
    "kind_email_change": "Bestätigung der neuen Adresse",
    "kind_email_change_notice": "Hinweis auf Adressänderung",
    "event_email_change_requested": "Änderung der E-Mail-Adresse angefordert",
    "state_pending": "wartet",
    "state_sent": "gesendet",
    "state_failed": "fehlgeschlagen",
    "state_cancelled": "zurückgezogen",
    "b_rule_cancel": "Stornieren",
    "b_rule_reschedule": "Verschieben",
    "b_may_cancel": "Kundinnen und Kunden dürfen stornieren",
    "b_may_reschedule": "Kundinnen und Kunden dürfen verschieben",
    "mode_always": "immer (bis der Kurs beginnt)",
    "mode_never": "nie online",
    "mode_windowed": "bis einige Stunden vorher",
    "b_hours_before": "Stunden vor Beginn",
    "b_after_that": "Danach",
    "outcome_free": "kostenlos",
    "outcome_fee": "gegen Gebühr",
    "outcome_forfeit": "der Kurs verfällt",
    "outcome_refused": "nicht möglich",
    "outcome_needs_staff": "das Team entscheidet",
    "b_max_reschedules": "Höchstens so oft pro Buchung verschieben (leer: unbegrenzt)",
    "b_booking_page": "Buchungsseite",
    "b_login_on_booking_page": "Anmeldung auf der Buchungsseite",
    "login_disabled": "keine Kundenanmeldung",
    "login_optional": "freiwillig",
    "login_required": "erforderlich",
    "b_save": "Speichern",
    "b_stored_as_json": "Als JSON gespeichert",
    "b_settings_saved": "Einstellungen gespeichert.",
    "b_back_to_mailbox": "Zurück zum Postfach",
    "booking_booked": "gebucht",
    "booking_cancelled": "storniert",
}

for _language, _texts in BUSINESS_TEXTS.items():
    TEXTS[_language].update(_texts)
for _language, _texts in REFUSAL_TEXTS.items():
    TEXTS[_language].update(_texts)
for _language, _texts in CAMPAIGN_TEXTS.items():
    TEXTS[_language].update(_texts)
for _language, _texts in LINK_TEXTS.items():
    TEXTS[_language].update(_texts)
for _language, _texts in LINK_FORMAL_TEXTS.items():
    FORMAL_TEXTS[_language].update(_texts)
for _language, _texts in PROVIDER_TEXTS.items():
    TEXTS[_language].update(_texts)
for _language, _texts in PROVIDER_FORMAL_TEXTS.items():
    FORMAL_TEXTS[_language].update(_texts)


def plural(locale: Locale, key: str, n: int, **values: object) -> str:
    """The text ``key`` for ``n`` things, in the plural form ``locale``'s language uses.

    The form comes from the CLDR rule (``Locale.plural_form``: "one", "other", and
    "many" for very large numbers in French and Spanish, written like "other").
    """
    form = "one" if locale.plural_form(n) == "one" else "other"
    return text(locale, f"{key}_{form}", n=n, **values)


def word(locale: Locale, kind: str, value: str) -> str:
    """An enum value (a status, an outcome, an event) as a word of ``locale``'s language."""
    key = f"{kind}_{value}"
    if key not in TEXTS["en"]:
        return value.replace("_", " ")
    return text(locale, key)
