"""Partners' requests on what their pack includes, and the office's answers.

Every function validates first and writes nothing on failure; completing a request consumes its
entitlement (`memberships.services.consume_entitlement`) in the same transaction, so a second
completion or an exhausted entitlement fails whole. Each action lands on the organisation's
audit log (one entry per action, on its timeline) and each decision is e-mailed to the person who asked.

- requests.py: the partner asks for something, or withdraws the request;
- answers.py: the office accepts, refuses, marks done, approves a banner;
- media.py: the image bank, and the answer to an image bank request;
- gift_codes.py: Balad'Enigm gift codes, issued to a partner and redeemed by a visitor;
- workflow.py: what they share (transitions, lock, decision, finish, audit entry, e-mail).
"""

from .answers import DEDICATED_ACTION_NAMES, accept_claim, approve_banner, complete_claim, refuse_claim
from .gift_codes import GIFT_CODE_INVALID, MAX_GIFT_CODES, TRAIL_MAX, issue_gift_codes, redeem_gift_code
from .media import MEDIA_BANK_RULES, add_media_image, answer_image_bank_request, archive_media_image
from .requests import (
    BANNER_RULES,
    BANNER_TEXT_MAX,
    EXHAUSTED,
    NOT_INCLUDED,
    NOT_LIVE,
    PENDING,
    cancel_claim,
    request_claim,
)
from .workflow import ACTION_WORDS, MESSAGE_MAX, STATUS_WORDS, kind_label

__all__ = [
    "ACTION_WORDS",
    "BANNER_RULES",
    "BANNER_TEXT_MAX",
    "DEDICATED_ACTION_NAMES",
    "EXHAUSTED",
    "GIFT_CODE_INVALID",
    "MAX_GIFT_CODES",
    "MEDIA_BANK_RULES",
    "MESSAGE_MAX",
    "NOT_INCLUDED",
    "NOT_LIVE",
    "PENDING",
    "STATUS_WORDS",
    "TRAIL_MAX",
    "accept_claim",
    "add_media_image",
    "answer_image_bank_request",
    "approve_banner",
    "archive_media_image",
    "cancel_claim",
    "complete_claim",
    "issue_gift_codes",
    "kind_label",
    "redeem_gift_code",
    "refuse_claim",
    "request_claim",
]
