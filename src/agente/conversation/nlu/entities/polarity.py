"""Yes or no, with any words around it, as the answer to "shall I …?".

    extract_polarity("sí, cancélala", "es", action="cancel")               -> True
    extract_polarity("yes please, go ahead and cancel it", "en", "cancel")  -> True
    extract_polarity("ok perfect book it", "en", action="book")             -> True
    extract_polarity("no mejor no", "es", action="book")                    -> False
    extract_polarity("no, don't cancel it", "en", action="cancel")          -> False
    extract_polarity("espera un momento", "es", action="book")              -> None

A confirmation asks about one action (book, cancel, modify): the verb of that action said
without a negation is a yes ("cancélala" when asked to cancel), a negated one is a no ("no
la canceles"), and at a booking "cancel" is a no. Idioms that contain a "no" but agree
("no problem", "¿por qué no?", "sin problema") are a yes. When the answer changes its mind
("no... bueno sí, adelante") the last word wins; "wait" or "I don't know" after the last
yes or no leaves it open.
"""

from __future__ import annotations

import re

from agente.conversation.nlu.entities.text import fold

__all__ = ["ACTIONS", "extract_polarity"]

_VERBS = {
    "book": r"reserv\w*|book\w*|confirm\w*|hazla|hazlo|take\s+it|me\s+la\s+quedo|nos\s+la\s+quedamos",
    "cancel": r"cancel\w*|anul\w*|confirm\w*|hazlo|do\s+it",
    "modify": r"cambi\w*|modific\w*|change\w*|modif\w*|confirm\w*|update\w*|hazlo|do\s+it",
}
ACTIONS = tuple(_VERBS)

# Agreeing idioms with a "no" in them, read as a yes before the no's are looked for.
_AGREEING = re.compile(
    r"\b(?:no\s+(?:hay\s+)?problema|sin\s+problema|no\s+problem|no\s+prob|no\s+worries|no\s+te\s+preocupes|"
    r"(?:por\s*que|como)\s+no|why\s+not|no\s+doubt|sin\s+duda|si\s+no\s+es\s+(?:mucha\s+)?molestia|"
    r"if\s+it'?s\s+no\s+trouble|no\s+hay\s+(?:mas|nada\s+mas)\s+que\s+hablar)\b"
)
# Open answers: nothing is decided ("espera", "not sure", "no sé").
_OPEN = (
    r"espera\w*|esperate|un\s+(?:momento|segundo|seg)|momento|wait|hold\s+on|one\s+(?:sec|second|moment)|"
    r"no\s+(?:lo\s+)?se(?:\s+si)?|not\s+sure|i\s+don'?t\s+know|dunno|no\s+estoy\s+segur[oa]|dejame\s+pensar|"
    r"let\s+me\s+think|aun\s+no\s+se|todavia\s+no\s+se"
)
_YES = (
    r"si+|sip|sep|claro|vale|dale|venga|ok|okay|okey|oki|okis|perfecto|perfect|perfectamente|"
    r"de\s+acuerdo|deacuerdo|adelante|correcto|exacto|eso\s+es|afirmativo|por\s+supuesto|desde\s+luego|"
    r"genial|estupendo|me\s+parece\s+bien|esta\s+bien|todo\s+bien|bien|guay|listo|hecho|"
    r"yes+|yeah|yea|yep|yup|ya|sure|of\s+course|go\s+ahead|go\s+for\s+it|please\s+do|sounds\s+good|looks\s+good|"
    r"all\s+good|that'?s\s+right|correct|exactly|absolutely|definitely|right|fine|great|lovely|alright|"
    r"all\s+right|confirmed|agreed|let'?s\s+do\s+it|proceed|procede|yes\s+please"
)
_NO = (
    r"no\s+(?:esta|estoy|es|me\s+parece|me\s+va)\s+bien|not\s+(?:ok|okay|fine|right|good|correct)|"
    r"esta\s+bien\s+asi|asi\s+esta\s+bien|dejalo\s+(?:asi|como\s+esta)|(?:leave|keep)\s+it(?:\s+as\s+it\s+is)?|"
    r"no+|nop|nope|nah|not|never\s*mind|forget\s+it|olvidalo|olvidate|dejalo|dejemoslo|mejor\s+no|ni\s+hablar|"
    r"para\s+nada|negativo|de\s+ninguna\s+manera|no\s+way|no\s+thanks|no\s+gracias|stop|"
    r"ya\s+no|aun\s+no|todavia\s+no|not\s+yet|i\s+changed\s+my\s+mind|he\s+cambiado\s+de\s+opinion"
)
_EMOJI_YES = re.compile("[\U0001f44d\U0001f44c\u2705\u2714\U0001f64c]")
_EMOJI_NO = re.compile("[\U0001f44e\u274c\u2716\U0001f6ab]")
_NEGATED_VERB = (
    r"(?:(?:mejor|better|please)\s+)?"
    r"(?:no\s+(?:me\s+|te\s+|lo\s+|la\s+|le\s+|los\s+|las\s+)?|don'?t\s+|do\s+not\s+|dont\s+|never\s+)"
)


def _pattern(action: str | None) -> re.Pattern[str]:
    verb = _VERBS.get(action or "", r"confirm\w*")
    # At a booking, "cancel" is the guest dropping it.
    dropping = r"|cancel\w*|anula\w*" if action == "book" else ""
    return re.compile(
        rf"(?P<open>\b(?:{_OPEN})\b)"
        rf"|(?P<no>\b{_NEGATED_VERB}(?:{verb})\b|\b(?:{_NO}{dropping})\b)"
        rf"|(?P<yes>\b(?:{_YES})\b|\b(?:{verb})\b)"
    )


_PATTERNS = {action: _pattern(action) for action in (*ACTIONS, None)}


def extract_polarity(text: str, language: str, action: str | None = None) -> bool | None:
    """True for a yes, False for a no, None when ``text`` says neither (or leaves it open).

    ``action`` is what the question asks to do ("book", "cancel", "modify"): its verb agrees.
    ``language`` is accepted for symmetry with the other extractors; both languages are read,
    since guests mix them."""
    folded = fold(text)
    if _EMOJI_YES.search(folded) and not _EMOJI_NO.search(folded):
        folded += " ok"
    elif _EMOJI_NO.search(folded):
        folded += " no"
    folded = _AGREEING.sub(" ok ", folded.replace("’", "'"))
    last: bool | None = None
    for match in _PATTERNS[action if action in _VERBS else None].finditer(folded):
        if match.group("open"):
            last = None
        else:
            last = match.group("yes") is not None
    return last
