from ensemble.core.models import Office

from .models import RetentionPolicy


def retention_policy(office: Office) -> RetentionPolicy:
    """The office's durations; the defaults (unsaved) when it never changed them."""
    try:
        return office.retention_policy
    except RetentionPolicy.DoesNotExist:
        return RetentionPolicy(office=office)
