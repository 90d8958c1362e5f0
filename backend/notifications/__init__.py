"""Notifications: the outbox every app tells people through (infrastructure; imports only accounts).

How a domain app sends one (from its own ``notify.py``, called inside the service's transaction)::

    from notifications.services import notification_create
    notification_create(
        recipient=signup.person,
        kind="signup_confirmed",                      # what people can turn off
        template="scheduling/signup_confirmed",       # see below
        context={"shift_title": ..., "starts_at_local": ...},   # JSON only
        key=f"signup_confirmed:{signup.pk}",          # idempotency: same key → nothing new
        send_at=None,                                  # or a future aware datetime (reminders)
        channels=None,                                 # default e-mail + in-app; "sms" too
        attachments=[{"filename": "shift.ics", "content_type": "text/calendar", "content": ics}],
    )

Templates live in the app that owns the event, ``template="scheduling/signup_confirmed"`` being::

    backend/scheduling/templates/notifications/scheduling/signup_confirmed/
        subject.txt  body.txt  [body.html]  [sms.txt]
        es/subject.txt  es/body.txt  [es/body.html]  [es/sms.txt]

rendered at send time in the recipient's language (English when a Spanish file is missing),
``.txt`` without HTML escaping. Besides ``context`` they see ``recipient_name``, ``site_url`` and
``unsubscribe_url``. Format dates in the context already in the person's zone: a template does
not know it.

Reminders: ``selectors.reminder_lead_times(person=...)`` and
``services.reminder_send_at(person=..., starts_at=..., lead=...)``; key them
``reminder:<thing>:<id>:<minutes>``, pass ``expires_at=<when the thing starts>`` (never sent
later), ``notification_cancel(key_prefix="reminder:<thing>:<id>:")`` when the commitment goes
away, and ``services.register_reminder_planner(fn)`` to move them when the person's lead times,
quiet hours or time zone change. Periodic work: ``scheduler.register_periodic_job``.

Every e-mail has an HTML part: the shared layout (``templates/notifications/_layout/email.html``)
around the text body, with the help line and the unsubscribe link; a ``body.html`` replaces only
the message inside it. Failures are listed by a key of the context:
``selectors.failed_notifications(context_key="roster_id", value=...)``.
"""
