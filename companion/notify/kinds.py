"""Notification kinds (light to import: the tray layer uses them before the database is open)."""

INFO = "info"
RESET_OFFER = "reset_offer"
STATUS = "status"  # about the app itself (e.g. "notifications are back on"): never held by the hourly cap

# Team (issue 3): kudos received, my obstacle acted on, a lead's group deep breath invitation.
KUDOS_RECEIVED = "kudos_received"
OBSTACLE_ACTED = "obstacle_acted"
BREATH_INVITE = "breath_invite"  # actionable (Join / Not now); lapses with the lead's window
UNCAPPED = (STATUS, BREATH_INVITE)  # not held by the hourly cap (still held during calls and pauses)

# A waiting queue grown past its bound (a flood of kudos during a call): the oldest informational ones are
# folded into one "N more notifications" notice of this kind (companion.notify.centre.MAX_WAITING).
FOLDED = "folded"
FOLDABLE = (INFO, KUDOS_RECEIVED, OBSTACLE_ACTED)  # informational: no buttons, nothing to answer
