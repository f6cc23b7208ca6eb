"""Which way a sentence points in time, to resolve bare weekdays and yearless dates.

Dutch news reports the past with a perfect (heeft ... gemaakt, is ... ingesteld) or a simple past
(maakte, maakten, zei, arriveerde); announcements use zal/gaat, a present passive (wordt ...
geopend) or a plain present. The verb that counts is the one of the clause the date stands in:
"Hij zei dat de minister dinsdag komt" is about a coming Tuesday. Reported speech in the present
("zegt dinsdag", "aldus ... maandag") reports what was said, so it points back.

Irregular pasts come from a word list (pipeline/data/dates_nl.json), also inside separable
compounds (uitviel, onderbrak); regular pasts (-de/-te/-den/-ten) by rule: the ending must fit the
stem ('t kofschip), and a word after an article or possessive is an adjective or noun, not a verb.
"""

from __future__ import annotations

import re

from pipeline.dates import lexicon as lx

PAST, NEUTRAL, FUTURE = -1, 0, 1
COMPOUND_PASTS = frozenset(p + f for p in lx.PARTICLES for f in lx.PAST_FORMS if len(f) >= 3)  # uitviel
COMPOUND_PRESENTS = {p + f: f for p in lx.PARTICLES for f in lx.PRESENT_FORMS | lx.FUTURE_MARKERS if len(f) >= 4}
AUXILIARY_PASTS = frozenset("heeft hebben hebt had hadden was waren werd werden".split())

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_WEAK_PAST = re.compile(
    r"[a-zäëïöüéè]{2,}(?:(?<=[tkfsph])te|(?<=[lrmnwjbvzdgfs])de|(?<=[aoeu]i)de)n?"
)
_VOWEL_TTEN = re.compile(r"[aeiou]tten$")
_PERFECT = re.compile(
    r"(?<!\w)(?:is|zijn|ben)(?!\w).*(?<!\w)(?!(?:gesloten|geopend|afgesloten|gepland|verboden|"
    r"toegestaan|gelegen|gevestigd|verplicht|gewenst|gebaseerd|betrokken|bedoeld|gericht|"
    r"verwacht|voorzien|bereikbaar|beperkt|verbonden|bezet|gehuisvest|geregeld)(?!\w))(?:[a-z]*ge[a-zë]{2,}(?:d|t|n)|(?:be|ver|ont|her)"
    r"[a-zë]{2,}(?:d|t|en)|overleden|aangehouden|opgepakt|ingestort|omgekomen|ontstaan|gegaan|gedaan|gestaan|gezien|vergaan)(?!\w)",
    re.IGNORECASE,
)
_PERFECT_INFINITIVE = re.compile(
    r"(?<!\w)(?:is|heeft|hebben)(?!\w).*(?<!\w)(?:gaan|komen|blijven|laten|willen|moeten|kunnen)\s+[a-z]+en(?!\w)",
    re.IGNORECASE,
)
_CLAUSE_BOUNDARY = re.compile(
    r"(?:,(?!\d)|[;:\"“”()])|(?<!\w)(?:" + "|".join(sorted(lx.SUBORDINATORS)) + r")(?!\w)", re.IGNORECASE
)
MAX_REACH = 300
DOCUMENT_REACH = 1500
_SENTENCE_END = re.compile(r"[.!?\n](?=\s|$)")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence around text[start:end], cut at . ! ? or a newline.

    At most MAX_REACH characters either side, so unpunctuated text stays linear.
    """
    floor, ceiling = max(0, start - MAX_REACH), min(len(text), end + MAX_REACH)
    left = max(floor - 1, max(text.rfind(c, floor, start) for c in ".!?\n")) + 1
    right_match = _SENTENCE_END.search(text, end, ceiling)
    return left, right_match.end() if right_match else ceiling


def is_past_word(word: str, previous: str, verb_slot: bool = False) -> bool:
    """Whether `word` is a simple past verb form; `previous` is the word before it (lower case).

    In the verb slot (right after a clause-initial date: "Zondag reden ...") a listed past form
    counts even where it could also be a noun.
    """
    if not word.islower():
        return False  # names and title words (Tweede Kamer, Van de Velde)
    if word in AUXILIARY_PASTS or (verb_slot and word in lx.PAST_FORMS):
        return True
    if word in lx.PAST_FORMS and previous == "het":
        return True  # het kwam, het werd: a plural noun cannot follow het
    if previous in lx.DETERMINERS or word in lx.NOT_PAST_WORDS:
        return False
    if word in lx.PAST_FORMS or word in COMPOUND_PASTS:
        return True
    return is_weak_past(word)


def without_particle(word: str) -> str:
    """aftreedt -> treedt, plaatsvindt -> vindt: the verb of a separable compound in a verb-final clause."""
    for particle in lx.PARTICLES:
        if word.startswith(particle) and len(word) - len(particle) >= 4:
            return word[len(particle) :]
    return word


def is_weak_past(word: str) -> bool:
    """maakte, arriveerde, demonstreerden, postte: a regular past whose ending fits its stem.

    Superlatives and ordinals (-ste), -chte(n) (echte, wachten), present participles (-ende:
    slepende; the pasts tekende, diende ... are listed), participle adjectives (ge-...-de) and
    infinitives like zetten are left out: they are far more often not a past.
    """
    if len(word) < 5 or word.endswith(("ste", "sten", "chte", "chten", "ende", "enden")):
        return False
    if _WEAK_PAST.fullmatch(word) is None or _VOWEL_TTEN.search(word):
        return False
    return not (word.startswith("ge") or without_particle(word).startswith("ge"))  # gewonde, uitgezonden


def tense_of(text: str, date_end: int = 0) -> int:
    """PAST for a simple past or perfect, FUTURE for a modal, present passive or plain present.

    Order: a simple past wins; then zal/gaat/wordt; then a perfect; then `te` + infinitive after
    the date at `date_end` (an intention: "zegt vrijdag te komen"); then a reporting present (zegt, meldt, aldus); then any
    other listed present verb; else NEUTRAL.
    """
    future = to_infinitive = reporting = present = False
    previous = ""
    for token in _WORD.finditer(text):
        word = token.group()
        lower = word.lower()
        if is_past_word(word, previous):
            return PAST
        base = COMPOUND_PRESENTS.get(lower, lower)
        if base in lx.FUTURE_MARKERS:
            future = True
        elif lower in lx.REPORTING_FORMS:
            reporting = True
        elif base in lx.PRESENT_FORMS:
            present = True
        elif previous == "te" and lower.endswith("en") and token.start() >= date_end:
            to_infinitive = True
        previous = lower
    if _PERFECT_INFINITIVE.search(text):
        return PAST
    if future:
        return FUTURE
    if _PERFECT.search(text):
        return PAST
    if to_infinitive:
        return FUTURE
    if reporting:
        return PAST
    return FUTURE if present else NEUTRAL


def text_tense(text: str) -> int:
    """The tense most of a text is written in (past words against present and modal ones).

    Only the first DOCUMENT_REACH characters are read: the lead sets the tense of a news item,
    and reading whole long articles would cost more than all the date rules together.
    """
    past = other = 0
    previous = ""
    for token in _WORD.finditer(text, 0, DOCUMENT_REACH):
        word = token.group()
        lower = word.lower()
        if is_past_word(word, previous):
            past += 1
        elif lower in lx.FUTURE_MARKERS or lower in lx.PRESENT_FORMS:
            other += 1
        previous = lower
    return PAST if past > other else FUTURE if other > past else NEUTRAL


def clause_bounds(text: str, left: int, right: int, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end] within the sentence text[left:right].

    Clauses end at punctuation and begin at a subordinator (dat, toen, omdat, ...), which stays in
    the clause it opens.
    """
    clause_left, clause_right = left, right
    for m in _CLAUSE_BOUNDARY.finditer(text, left, right):
        if m.start() >= end:
            clause_right = m.start()
            break
        if m.end() <= start and not (m.group()[0].isalpha() and is_pronoun_use(text, m.start(), m.end(), start)):
            clause_left = m.end() if not m.group()[0].isalpha() else m.start()
    return clause_left, clause_right


def is_pronoun_use(text: str, word_start: int, word_end: int, date_start: int) -> bool:
    """`kregen dat maandag te horen`: dat right before the date and after a past verb is an object."""
    if text[word_end:date_start].strip():
        return False
    before, before_previous = _words_before(text, word_start)
    return is_past_word(before, before_previous)


def verb_final_present(clause: str) -> bool:
    """`dat de markt zaterdag terugkeert`: a subordinate clause that ends in a present verb."""
    words = _WORD.findall(clause)
    if len(words) < 3 or words[0].lower() not in lx.SUBORDINATORS:
        return False
    last = words[-1]
    stem = without_particle(last)
    return last.islower() and last.endswith("t") and not stem.startswith("ge") and not last.startswith("ge")


def direction_at(text: str, start: int, end: int) -> int:
    """The tense around text[start:end]: a verb right next to it, its clause, then its sentence."""
    before, before_previous = _words_before(text, start)
    if before.lower() in PART_WORDS:  # voor half april: the word before the part word counts
        before, before_previous = before_previous, ""
    if before.lower() == "sinds":
        return PAST
    left, right = sentence_bounds(text, start, end)
    clause_left, clause_right = clause_bounds(text, left, right, start, end)
    after = _word_after(text, end)
    clause_initial = not text[clause_left:start].strip()
    if is_past_word(before, before_previous) or is_past_word(after, "", verb_slot=clause_initial):
        return PAST
    if before.lower() in DEADLINE_WORDS and _TO_INFINITIVE.search(text, end, clause_right):
        return FUTURE  # "beloofde voor half april het rapport te publiceren": a promised deadline
    if text.startswith(")", end) and text[:start].rstrip().endswith(","):
        return PAST  # (Het Parool, maandag): a citation
    clause_tense = tense_of(text[clause_left:clause_right], end - clause_left)
    if not clause_tense and verb_final_present(text[clause_left:clause_right]):
        return FUTURE
    if not clause_tense and before.lower() == "van" and after.lower() not in ("op", "tot", "t"):
        return PAST  # "na de topper van zondag": an event without a verb of its own is a reported one
    return clause_tense or tense_of(text[left:right], end - left)


PART_WORDS = frozenset(w for w in list(lx.PART_MODIFIERS) + list(lx.MODIFIERS) if " " not in w)
DEADLINE_WORDS = frozenset(("voor", "vóór", "uiterlijk", "tegen"))
_TO_INFINITIVE = re.compile(r"(?<!\w)te\s+[^\W\d_]+en(?!\w)", re.IGNORECASE)
_WORDS_BEFORE = re.compile(r"(?:(\w+)\s+)?(\w+)\s*$")
_WORD_AFTER = re.compile(r"\s*(\w+)")


def _words_before(text: str, pos: int) -> tuple[str, str]:
    """The word right before pos (as written) and the one before that (lower case)."""
    m = _WORDS_BEFORE.search(text, max(0, pos - 40), pos)
    if not m:
        return "", ""
    return m.group(2), (m.group(1) or "").lower()


def _word_after(text: str, pos: int) -> str:
    m = _WORD_AFTER.match(text, pos)
    return m.group(1) if m else ""
