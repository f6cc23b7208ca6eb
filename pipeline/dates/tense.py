"""Which way a sentence points in time, to resolve bare weekdays and yearless dates.

Dutch news reports the past with a perfect (heeft ... gemaakt) or a simple past (maakte, zei);
announcements use zal/gaat or a plain present. A few closed word lists cover most sentences.
"""

from __future__ import annotations

import re

PAST, NEUTRAL, FUTURE = -1, 0, 1

_PAST = re.compile(
    r"(?<!\w)(?:heeft|hebben|had|hadden|hebt|heb|was|waren|werd|werden|zei|zeiden|zegde|"
    r"stond|stonden|kwam|kwamen|ging|gingen|vond|vonden|liet|lieten|nam|namen|gaf|gaven|"
    r"kreeg|kregen|bleek|bleken|overleed|viel|vielen|sprak|spraken|schreef|schreven|won|"
    r"wonnen|verloor|liep|liepen|reed|zat|zaten|lag|lagen|hield|hielden|"
    r"bracht|brachten|dacht|dachten|zag|zagen|deed|deden|wist|wisten|moest|moesten|kon|"
    r"konden|wilde|wilden|mocht|mochten|begon|sloot|trok|trokken|vloog|"
    r"vlogen|stierf|stierven|ontstond|verdween|trof|trad|traden|zocht|zochten|kocht|"
    r"kochten|bezocht|bezochten|ontving|ontvingen|vertrok|"
    r"besloot|bood|boden|wees|koos|kozen|zong|zongen|dronk|sprong|vocht|"
    r"schoot|stak|brak|bleef|bleven|verscheen|"
    r"dook|gold|hing|hingen|sliep|riep|riepen|droeg|greep|grepen|"
    r"[a-zë]{3,}(?:de|te)(?=\s+(?:de|het|een|hij|zij|ze|er|zich|dat|die|hem|haar|"
    r"ons|hun|zijn|niet|ook|al|nog|op|in|met|aan|voor|om|over|uit|af|toe|mee|bekend|"
    r"vast|weg|terug|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|gisteren)\b))(?!\w)",
    re.IGNORECASE,
)
_MODAL = re.compile(
    r"(?<!\w)(?:zal|zullen|zult|gaat|gaan|moet|moeten|kan|kunnen|wil|willen|wordt|worden|"
    r"hoopt|hopen|plant|verwacht|verwachten)(?!\w)",
    re.IGNORECASE,
)
_PERFECT = re.compile(
    r"(?<!\w)(?:is|zijn|ben)(?!\w).*(?<!\w)(?!(?:gesloten|geopend|afgesloten|gepland|verboden|"
    r"toegestaan|gelegen|gevestigd|verplicht|gewenst|gebaseerd|betrokken|bedoeld|gericht|"
    r"verwacht|voorzien|bereikbaar|beperkt|verbonden|bezet|gehuisvest|geregeld)(?!\w))(?:[a-z]*ge[a-zë]{2,}(?:d|t|en)|(?:be|ver|ont|her)"
    r"[a-zë]{2,}(?:d|t|en)|overleden|aangehouden|opgepakt|ingestort|omgekomen|ontstaan|gegaan|gedaan|gestaan|gezien|vergaan)(?!\w)",
    re.IGNORECASE,
)
_PRESENT = re.compile(
    r"(?<!\w)(?:komt|komen|volgt|volgen|start|starten|begint|beginnen|opent|openen|vindt|staat|"
    r"staan|treedt|speelt|spelen|trekt|houdt|organiseert|organiseren|krijgt|krijgen|brengt|"
    r"beslist|stemt|stemmen|ontmoet|reist|bezoekt|presenteert|neemt|geeft|is|zijn|ben|"
    r"blijft|sluit|sluiten|loopt|gepland)(?!\w)",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:\"“”()]")
NOT_PAST_FORMS = frozenset(
    "eerste tweede derde vierde vijfde zesde zevende achtste negende tiende laatste volgende "
    "vorige komende beste grote hele goede halve oude rode dode brede late vaste harde zachte "
    "korte lichte echte hoogste grootste kleinste meeste langste snelste juiste aparte "
    "gemiddelde bepaalde verschillende belangrijkste verkeerde zogenaamde vermoedelijke "
    "bekende betrokkene aanstaande de te".split()
)
MAX_REACH = 300
_SENTENCE_END = re.compile(r"[.!?\n](?=\s|$)")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence around text[start:end], cut at . ! ? or a newline.

    At most MAX_REACH characters either side, so unpunctuated text stays linear.
    """
    floor, ceiling = max(0, start - MAX_REACH), min(len(text), end + MAX_REACH)
    left = max(floor - 1, max(text.rfind(c, floor, start) for c in ".!?\n")) + 1
    right_match = _SENTENCE_END.search(text, end, ceiling)
    return left, right_match.end() if right_match else ceiling


def tense_of(sentence: str) -> int:
    """PAST for a simple past or perfect, FUTURE for a modal or present verb, else NEUTRAL."""
    if _PAST.search(sentence):
        return PAST
    if _MODAL.search(sentence):
        return FUTURE
    if _PERFECT.search(sentence):
        return PAST
    if _PRESENT.search(sentence):
        return FUTURE
    return NEUTRAL


def direction_at(text: str, start: int, end: int) -> int:
    """The tense around text[start:end]: a verb right next to it, its clause, then its sentence."""
    if _word_before(text, start) == "sinds":
        return PAST
    for neighbour in (_word_before(text, start), _word_after(text, end)):
        if len(neighbour) > 4 and neighbour.endswith(("de", "te")) and neighbour not in NOT_PAST_FORMS:
            return PAST
    left, right = sentence_bounds(text, start, end)
    clause_left = max((m.end() for m in _CLAUSE_END.finditer(text, left, start)), default=left)
    clause_end = _CLAUSE_END.search(text, end, right)
    clause = text[clause_left : clause_end.start() if clause_end else right]
    return tense_of(clause) or tense_of(text[left:right])


_WORD_BEFORE = re.compile(r"(\w+)\s*$")
_WORD_AFTER = re.compile(r"\s*(\w+)")


def _word_before(text: str, pos: int) -> str:
    m = _WORD_BEFORE.search(text, max(0, pos - 30), pos)
    return m.group(1).lower() if m else ""


def _word_after(text: str, pos: int) -> str:
    m = _WORD_AFTER.match(text, pos)
    return m.group(1).lower() if m else ""
