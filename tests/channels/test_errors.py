from __future__ import annotations

from agente.channels import errors
from agente.errors import AgenteError


def test_errors_hierarchy_is_the_documented_one() -> None:
    assert issubclass(errors.ChannelError, AgenteError)
    for cls in (errors.SignatureError, errors.PayloadError, errors.SendError):
        assert cls.__bases__ == (errors.ChannelError,)
    assert errors.SendRetryableError.__bases__ == (errors.SendError,)
    assert errors.SendPermanentError.__bases__ == (errors.SendError,)
    for cls in (errors.TokenExpiredError, errors.WindowClosedError, errors.UndeliverableError):
        assert cls.__bases__ == (errors.SendPermanentError,)


def test_errors_carry_code_and_retry_hints_in_their_repr() -> None:
    retryable = errors.SendRetryableError("busy", code=130429, retry_after=2.5, maybe_sent=False)
    assert (retryable.code, retryable.retry_after, retryable.maybe_sent) == (130429, 2.5, False)
    assert repr(retryable) == "SendRetryableError('busy', code=130429, retry_after=2.5, maybe_sent=False)"
    permanent = errors.WindowClosedError("closed", code=131047)
    assert permanent.code == 131047
    assert repr(permanent) == "WindowClosedError('closed', code=131047)"
