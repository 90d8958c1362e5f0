"""Help requests: the practical help a family asks its circle for, built on the scheduling engine.

A request is one ``Shift`` on the circle's roster plus a ``HelpRequest`` (kind and kind-specific
details, ``details.py``); a volunteer's claim is an engine ``Signup`` plus a ``Contribution``
(what they bring). Rules: ``allergens.py`` (refuse declared household allergens, warn on dish
names), ``rules.py`` (childcare trust gate, paused/closed circles — engine claim rules).
Endpoints (``urls.py``): ``circles/{id}/requests/`` (+ ``series/``), ``circles/{id}/dishes/``,
``requests/{id}/`` (+ ``claim/``, ``received/``), ``signups/{id}/thanks/``.
"""
