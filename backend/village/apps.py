import logging

from django.apps import AppConfig


class VillageConfig(AppConfig):
    name = "village"
    verbose_name = "Village"

    def ready(self) -> None:
        from village.logging import HideFeedTokens

        # gunicorn sets up its own log handlers before Django starts and settings.LOGGING cannot
        # name its loggers without replacing those handlers: filter on the loggers themselves,
        # so an access log turned on with --access-logfile never writes a feed token.
        for name in ("gunicorn.access", "gunicorn.error"):
            logger = logging.getLogger(name)
            if not any(isinstance(f, HideFeedTokens) for f in logger.filters):
                logger.addFilter(HideFeedTokens())
