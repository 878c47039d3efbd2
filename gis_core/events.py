"""Events the domain apps announce, for the layers above them to act on (notifications).

A lower app sends the signal inside the transaction that made the change; receivers must
only queue work in that transaction (never call out), so the sender's path stays fast and
nothing is announced for a change that rolls back. The core defines the signals so that
senders and receivers need not import each other.
"""
from django.dispatch import Signal

# iot: alerts raised or moved along their lifecycle. ``changes``: list of iot.alerting.AlertChange.
alert_changed = Signal()

# incidents: a workflow action taken on a case. ``case``, ``event`` (the CaseEvent just written).
case_changed = Signal()

# incidents: the clock flagged cases due soon or late. ``event_ids``: the CaseEvents it wrote.
cases_flagged = Signal()

# services: a step on an application (``application``, ``step``: the ApplicationStep just
# written); a rating's step also carries ``followup`` (the FollowUp a poor rating opened, or None).
application_changed = Signal()
