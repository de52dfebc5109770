"""Treaty actions: signatures, ratifications, accessions, acceptances, approvals,
denunciations, entry into force and opening for signature, in English and French.

A reader finds the act (a verb, a participle or a noun such as "instrument of ratification"),
who acts (the subject before the verb, the agents after "by", every state of a list sharing
the verb), which treaty (named in the clause, else the treaty in focus when the clause refers
back to it) and when (the date tied to that verb in its clause, else the date opening the
sentence; "today" and weekdays are resolved against the dateline by `loaders.dates`). A date
the sentence does not give is never invented: the act is then undated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from loaders.dates import DateMention, PartialDate
from loaders.documents import Sentence
from loaders.entities import Mention
from loaders.facts import (
    Acceptance,
    Accession,
    Approval,
    Denunciation,
    Entity,
    EntryIntoForce,
    OpeningForSignature,
    Ratification,
    Signature,
    TreatyAction,
)
from loaders.numbers import NUMBER, ORDINAL, parse_number, parse_ordinal
from loaders.numbers import QUALIFIED_NUMBER as QN
from loaders.rules.ellipses import joined_before, listed_together

if TYPE_CHECKING:
    from loaders.reading import Reading

_STATES = ("state",)
_PARTIES = ("state", "organisation")

_TRIGGER = re.compile(
    r"(?P<Ratification>\bratif(?:y|ies|ied|ying)\b|\bratifi(?:e|é|ée|és|ées|ent|era|eront|er)\b"
    r"|\bratifications?\b)"
    r"|(?P<Signature>\bbec(?:ame|omes?|oming)\s+(?:a\s+)?signatory\b"
    r"|\bsign(?:s|ed|ing)?\b|\bsign(?:e|é|ée|és|ées|ent|era|eront|er)\b"
    r"|\bsignatures?\b|\bsignatories\b|\bsignatory\b|\bsignataires?\b)"
    r"|(?P<Accession>\baccede[sd]?\b|\bacceding\b|\badh[èé]r(?:e|é|ée|er|era|ent)\b"
    r"|\binstruments?\s+(?:of\s+accession|d'adhésion)\b|\baccession\b|\badhésion\b)"
    r"|(?P<Acceptance>\baccept(?:s|ed|é|ée)\b|\bacceptance\b|\bacceptation\b)"
    r"|(?P<Approval>\bapprov(?:es|ed)\b|\bapprouv(?:e|é|ée|és|ées|ent)\b|\bapproval\b"
    r"|\bapprobation\b)"
    r"|(?P<Denunciation>\bdenounc(?:e|es|ed|ing)\b|\bdenunciation\b|\bdénon(?:ce|cé|cée|ciation)\b"
    r"|\bwithdr(?:ew|awn|aw|aws|awing|awal)\s+from\b|\b(?:se\s+)?(?:retir|détach)(?:er|e|é|ée)\b(?=\s+d)"
    r"|\bquitt(?:er|e|é|ée)\b)"
    r"|(?P<EntryIntoForce>\b(?:enter(?:s|ed|ing)?|entry|come|came|comes|coming)[\s-]+"
    r"(?:(?:formally|officially|finally|definitively)\s+)?into[\s-]+force\b"
    r"|\bentr(?:e|era|ent|eront|é|ée|és|ées|er|ée)\s+(?:(?:définitivement|officiellement"
    r"|formellement|enfin)\s+)?en\s+vigueur\b|\bin\s+force\s+since\b|\ben\s+vigueur\s+depuis\b)"
    r"|(?P<OpeningForSignature>\bopen(?:ed|ing|s)?\s+for\s+signature\b"
    r"|\bouverte?s?\s+à\s+la\s+signature\b|\bouverture\s+à\s+(?:la\s+)?signature\b)",
    re.I,
)
"""One pattern for every act, so that a sentence is scanned once; the group names the act."""

_KINDS: dict[str, type[TreatyAction]] = {
    "Ratification": Ratification,
    "Signature": Signature,
    "Accession": Accession,
    "Acceptance": Acceptance,
    "Approval": Approval,
    "Denunciation": Denunciation,
    "EntryIntoForce": EntryIntoForce,
}

_ANY_ACT = re.compile(
    r"ratif|sign|acce|adh[èé][rs]|approv|approuv|approb|force|vigueur|d[ée]non|denoun|denun|withdr|retir"
    r"|détach"
    r"|quitt|becom|became|devenu",
    re.I,
)
"""A cheap test before the real patterns: most sentences state no act."""

_NOUN = re.compile(
    r"ratifications?|signatures?|signatories|signatory|signataires?|acceptance|acceptation"
    r"|approval|approbation|accession|adhésion|denunciation|dénonciation|withdrawal\s+from",
    re.I,
)
_INSTRUMENT = re.compile(
    r"\b(?:instruments?|documents?)\s+(?:of|on|de|d')\s*(?:its\s+|their\s+)?$", re.I
)
_DEPOSIT = re.compile(
    r"\b(?:deposit\w*|submit\w*|lodg\w*|complet\w*|finali[sz]\w*|hand\w*\s+over|handed|notif\w*"
    r"|dépos\w*|remis\w*|achev\w*)\b",
    re.I,
)
"""Verbs that make a noun an act of the subject: "X deposited the instrument of ratification"."""

_PROCESS_AFTER = re.compile(
    r"\s*(?:negotiations?|talks|process|procedures?|bill|law|laws|request|bid|criteria"
    r"|ceremony|campaign|package)\b",
    re.I,
)
"""A noun that only qualifies another: "accession negotiations", "the ratification process"."""

_COMPLETED = re.compile(
    r"\b(?:complet\w*|conclu\w*|finali[sz]\w*|achev\w*|termin\w*)\s+(?:the\s+|its\s+|their\s+"
    r"|le\s+|la\s+|sa\s+|son\s+|leur\s+)?(?:\w+\s+)?$",
    re.I,
)
"""...unless the process is done: "completed the ratification process"."""

_NOT_A_TREATY_OBJECT = re.compile(
    r"\s+(?:(?:the|a|an|this|that|le|la|les|un|une|ce|cette)\s+)?(?:\w+\s+)?(?:law|laws|bill"
    r"|decree|decision|declaration|letter|statement|resolution|order|petition|contract|loi|décret"
    r"|décision|déclaration|lettre)\b(?!\s+(?:Convention|Protocol|Treaty|Agreement|Charter))",
    re.I,
)
"""Signing a law or a decision is no treaty act: "the president signed the law on ratification";
a treaty whose title holds such a word ("the Criminal Law Convention") is one."""

_WEAK = ("Acceptance", "Approval", "Denunciation")
_DIRECT_OBJECT = re.compile(
    r"^\s*(?:(?:today|formally|officially|aujourd['’]hui|officiellement|formellement"
    r"|(?:on|le)\s+\d{1,2}(?:er)?\s+[^\W\d]+\s+\d{4})\s*,?\s*)?"
    r"(?:(?:of|to|from|the|its|their|de|la|le|l'|du|des|d')\s*){0,3}$",
    re.I,
)
"""Generic verbs ("accepted", "approved", "quitter") count only with a treaty as object."""
_OBJECT_BACK = re.compile(
    r"\s+(?:it|them|the\s+(?:treaty|convention|protocol|agreement)|this\s+(?:treaty|convention"
    r"|protocol|agreement))\b",
    re.I,
)
"""...or with a word for a treaty named before it: "ratified the Convention, denounced it"."""

_WEAK_AGENT = re.compile(
    r"\s+(?:(?:today|formally|also)\s+)?(?:by|par)\s+(?:the\s+|la\s+|le\s+)?", re.I
)
"""A generic verb in the passive is a treaty act when a party is its agent."""

_OTHER_EVENT = re.compile(
    r"\b(?:adopted|adopté\w*|to\s+be\s+held|will\s+be\s+held|scheduled|planned|voted|prévue?s?)\b"
    r"|\n",
    re.I,
)
"""Words between a verb and a date that tie the date to another event."""

_SHARED_DATE = re.compile(r"\b(?:and|et)\s+(?:was\s+|were\s+|a\s+été\s+)?$", re.I)
"""Was opened for signature on 5 May and signed by A": the signatures share the opening's date,
which a status ("has since been signed by 32 states") does not."""

_DURING = re.compile(r"\W*(?:during|at|lors\s+d[eu]|au\s+cours\s+d[eu])\s", re.I)
"""During the opening for signature on 22 April, 175 parties signed": the signing is part of
the event, and shares its date."""

_CLAUSE = re.compile(
    r";|,\s+(?:and|while|whereas|but)\s+(?!(?:also\s+)?(?:by|par)\s)|\s+(?:while|whereas)\s+"
    r"|,\s+ensemble\s+"
    r"|,\s+(?!(?:including|concerning|regarding|according|following|excluding|during|pending"
    r"|notwithstanding)\b)(?=\w+ing\b)"
)
_PARTICIPLE_BY = re.compile(
    r"\W*(?:and\s+|et\s+)?(?:was\s+|were\s+|has\s+been\s+|a\s+été\s+)?(?:ratified|signed"
    r"|accepted|approved|acceded\s+to|ratifiée?s?|signée?s?|approuvée?s?)\s+(?:\w+\s+)?(?:by|par)\b",
    re.I,
)
"""A clause that is only a participle and its agent carries on the treaty of the clause before."""
_LEADING = re.compile(r"^\W*(?:on|le|as\s+of|en)?\s*$", re.I)
_PASSIVE = re.compile(r"\s*(?:[\w'+-]+\s+){0,6}?(?:by|par)\s+(?:the\s+|la\s+|le\s+)?", re.I)
"""The agent after a passive verb; an elided "l'" stays with the name it is part of."""
_PASSIVE_GAP_VERB = re.compile(r"\b(?:\w{3,}ed|adopt\w+|\w+é(?:e|es|s)?|held)\b", re.I)
_COUNT_FIRST = re.compile(rf"{QN}\b", re.I)
_SECOND_AGENT = re.compile(
    r"\b(?:as\s+well\s+as|and\s+also|ainsi\s+que|de\s+même\s+que|et)\s+(?:by|par)\s+"
    r"(?:the\s+|la\s+|le\s+|l['’]\s*)?$",
    re.I,
)
_BEFORE_PLACE = re.compile(
    r"(?:\b(?:with|in|at|to|towards|against|from|like|unlike|besides"
    r"|avec|en|au|aux|à|auprès\s+d[eu']|contre|comme|outre)\s+"
    r"(?:the\s+|la\s+|le\s+|l')?(?:government\s+of\s+(?:the\s+)?)?)$",
    re.I,
)
"""A state after these words is a place or a partner, not the subject: "deposited with the
United States", "signed in France"."""
_ENVOYS_FROM = re.compile(
    r"\b(?:ministers?|representatives?|delegations?|delegates|officials?|envoys?|ambassadors?"
    r"|ministres?|représentants?|délégations?|délégués)\s+(?:of|from|de|du|des|d['’])\s+"
    r"(?:the\s+|la\s+|le\s+|l['’])?$",
    re.I,
)
"""Who acts for a state: "Ministers from Peru and Ghana signed" is Peru's act and Ghana's."""
_BEFORE_TIME = re.compile(r"\b(?:before|after|avant|après)\s+(?:the\s+|la\s+|le\s+|l')?$", re.I)
"""With a comma after the state, a time reference: "Before Armenia, 17 states had signed"."""
_POSSESSIVE = re.compile(r"['’]s\b")
_FOR_STATE = re.compile(
    r"^\s*(?:\w+\s+){0,6}?(?:for|in|in\s+respect\s+of|à\s+l'égard\s+d[eu']|pour|en|au)\s*"
    r"(?:the\s+|la\s+|le\s+|l')?$",
    re.I,
)
_REFERS_BACK = re.compile(
    r"\b(?:it|its|the\s+(?:treaty|instrument|agreement|convention|protocol|accord)"
    r"|this\s+(?:treaty|agreement|convention|protocol|instrument)|their\s+instruments?"
    r"|l'instrument|leurs?\s+instruments?|ce\s+traité|cet\s+accord|cette\s+convention"
    r"|ce\s+protocole|l'accord|le\s+traité|la\s+convention|le\s+protocole|celui-ci|celle-ci)\b"
    r"|\bl['’](?=(?:a|ont|avait|avaient|auront|ont\s+\w+)\s)",
    re.I,
)
"""Words that carry an act over to the treaty in focus."""

_MEMBERS_OF = re.compile(r"\s+(?:member\s+)?(?:states|countries|members)\b", re.I)
_EXCEPT = re.compile(
    r"\b(?:except|excepting|all\s+but|other\s+than|apart\s+from|with\s+the\s+exception\s+of"
    r"|save|sauf|hormis|à\s+l'exception\s+d[eu']?)\b",
    re.I,
)
_EXCEPTION_ENDS = re.compile(r"(?:,\s*|\s+)(?:and\s+)?(?:also\s+)?(?:by|par)\s+|\)|;", re.I)

_ORDINAL_WORD = (
    r"\d+(?:st|nd|rd|th|e|er|re|ème)|first|second|third|[a-z]+(?:-[a-z]+)?(?:th|st|nd|rd)"
    r"|premi(?:er|ère)|[a-zé]+(?:-[a-zé]+)*ième"
)
_BECAME_NTH = re.compile(
    rf"\b(?:become|became|becomes|becoming|devenu|devenue|devient|est\s+devenue?)\s+"
    rf"(?:the\s+|le\s+|la\s+)?(?P<ordinal>{_ORDINAL_WORD})\b"
    r"(?:\s+(?P<noun>states?|country|countries|part(?:y|ies)|contracting\s+part(?:y|ies)|nations?"
    r"|[ée]tats?|pays|parties?|signator(?:y|ies)|signataires?)\b)?"
    r"(?:\s+(?:\w+\s+){0,3}?to\s+(?:have\s+)?(?:(?P<verb>ratif\w*|sign\w*|accede\w*|approv\w*"
    r"|accept\w*)|complet\w+\s+(?:the\s+|its\s+)?(?P<noun_verb>ratification|accession)))?",
    re.I,
)
""""X became the 60th State to ratify", "X has become the 60th" (after "the first country to
ratify"), "X est devenue le 12e État partie": the ordinal says that X acted."""

_TIMESTAMP = re.compile(r",?\s*(?:at\s+|à\s+)?\d{1,2}[:h]\d{2}\b")
"""A date followed by a clock time stamps the page, not an act: "7 September 2020, 20:30"."""
_SAME_DAY = re.compile(
    r"\b(?:(?:on\s+)?that\s+(?:same\s+)?day|the\s+same\s+day|on\s+(?:that|this)\s+occasion"
    r"|ce\s+jour(?:-là)?|le\s+même\s+jour|à\s+cette\s+occasion)\b",
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[-–—•*]|\d+[.)])\s*")
_LIST_INTRO = re.compile(r":\s*$")
_HEADING = re.compile(
    r"\W*(?:(?:new|latest|recent|nouvelles?)\s+)?(?:signatures|signatories|ratifications|accessions"
    r"|signataires|adhésions)\b[^.;:!?]*$",
    re.I,
)
"""A heading over one name a line: "Signatories of the Convention" with no stop after it."""
_FOLLOW_UP = re.compile(
    r"^\W*(?:This|It|That|Cela|Ceci|Elle|Il)\s+(?:will\s+|would\s+|should\s+|is\s+expected\s+to\s+"
    r"|is\s+due\s+to\s+|aura\s+|devrait\s+)?(?:occur|happen|take\s+(?:place|effect)|lieu)",
    re.I,
)
"""The date of an entry into force given in the next sentence: "This will occur on 1 May"."""


def treaty_actions(context: Reading, sentence: Sentence) -> None:
    """Every treaty act stated in a sentence, or in the list lines it introduces."""
    text = sentence.text
    they = _THEY_INCLUDE.match(text)
    if they is not None:
        _members_of_a_count(context, sentence, sentence.start + they.end())
    if _ANY_ACT.search(text) is None:
        return
    triggers = [t for t in _TRIGGER.finditer(text) if _is_act(context, sentence, t)]
    dates = [d for d in context.dates(sentence) if not _TIMESTAMP.match(text, d.end)]
    leading = [d for d in dates if _LEADING.match(text[: d.start])]
    previous_actors: Sequence[Entity | None] = []
    last_act: tuple[type[TreatyAction], Mention, DateMention | None] | None = None
    clause_treaty: Mention | None = None
    for start, end in _clauses(context, sentence):
        clause_start, clause_end = sentence.start + start, sentence.start + end
        in_clause = [t for t in triggers if start <= t.start() < end]
        if not in_clause and last_act is not None:
            _elliptic_list(context, sentence, clause_start, clause_end, last_act)
            continue
        treaties = context.within(clause_start, clause_end, ("treaty",))
        joined = _joined_by_treaty(context, clause_start, clause_end)
        treaties = sorted(treaties + joined, key=lambda m: m.start)
        focus = _focus(context, clause_start, text[start:end], treaties)
        if focus is None and not treaties and _PARTICIPLE_BY.match(text, start, end):
            focus = clause_treaty  # "signed by A and B, and ratified by C": the same treaty
        clause_dates = [d for d in dates if start <= d.start < end]
        openings = [
            _date_of(text, t, in_clause, clause_dates)
            for t in in_clause
            if t.lastgroup == "OpeningForSignature"
        ]
        subject_from = start
        for trigger in in_clause:
            kind = trigger.lastgroup or ""
            if kind == "EntryIntoForce" and not trigger.group().lower().startswith("entry"):
                treaty = _subject_treaty(context, treaties, focus, clause_start, trigger, sentence)
            else:
                treaty = _treaty_of(
                    context.document.text, treaties, focus, sentence.start + trigger.start()
                )
            introduces = bool(_LIST_INTRO.search(text) or _HEADING.match(text))
            introduces = introduces and trigger is in_clause[-1]
            introduces = introduces and end == len(text)
            if treaty is None and not (introduces and kind in _KINDS):
                continue
            on = (
                _date_of(text, trigger, in_clause, clause_dates)
                or _leading_date(text, leading, clause_dates, start, trigger)
                or same_day(context, sentence, text[start:end])
            )
            if _BARE_ACCESSION.fullmatch(trigger.group()) and (on is None or treaty in joined):
                continue  # an accession named without its date is a topic, not an event
            if on is not None and kind != "OpeningForSignature" and on in openings:
                shared = _SHARED_DATE.search(text, 0, trigger.start()) or _DURING.match(text)
                if shared is None:
                    on = None  # the opening's date, not the date of a later signature
            if kind == "OpeningForSignature" and treaty is not None:
                _opening(context, sentence, treaty, on, trigger)
                continue
            if on is not None and _OPENING_DAY.fullmatch(text[on.start : on.end]):
                on = _opening_day(context, treaty, on)
            action = _KINDS[kind]
            if action is EntryIntoForce and treaty is not None:
                on = on or _follow_up_date(context, sentence)
                if on is None:
                    continue  # "will enter into force once ten states have ratified": no fact
                actors: Sequence[Entity | None] = _entry_actors(context, trigger, sentence, end)
                _gapped_entry(context, sentence, on, clause_end)
            else:
                actors = _actors(context, sentence, trigger, subject_from, end)
                if not actors and subject_from > 0 and not _NOUN.fullmatch(trigger.group()):
                    actors = previous_actors  # "X finished talks and on 9 May signed the Treaty"
                previous_actors = actors
                subject_from = trigger.end()  # "A signed it and B ratified it": B did not sign
            if introduces:
                _listed(context, sentence, action, actors, treaty, on)
            if treaty is None:
                continue
            clause_treaty = treaty
            if actors and action is not EntryIntoForce:
                last_act = (action, treaty, on)
            for actor in actors:
                for acted_on in _coordinated(context, treaty, treaties):
                    context.facts.append(
                        action(
                            actor,
                            acted_on.entity,
                            on.first if on is not None else None,
                            evidence=context.evidence(sentence),
                        )
                    )
    _ordinals(context, sentence, triggers)


_AND_ALSO = re.compile(
    r"[\s,]*(?:and|et|as\s+well\s+as|ainsi\s+que)?\s*(?:(?:its|their|son|sa|leur)\s+)?"
    r"(?:(?:the\s+)?(?:most|all|la\s+plupart|tous)"
    r"\s+(?:of\s+)?(?:de\s+)?)?(?:(?:its|their|ses|leurs)\s+(?:additional\s+)?protocole?s"
    r"(?:\s+additionnels)?\s*,?\s*)?(?:notably|including|in\s+particular|notamment|dont"
    r"|en\s+particulier)?\s*(?:the\s+|la\s+|le\s+|les\s+|l['’]\s*)?",
    re.I,
)


def _coordinated(context: Reading, first: Mention, treaties: list[Mention]) -> list[Mention]:
    """The treaty acted on and those joined to it: "ratified the Convention and most of its
    protocols, notably Protocol No. 6" ratifies both."""
    text = context.document.text
    objects = [first]
    for mention in treaties:
        if mention.start < objects[-1].end:
            continue
        glue = _AND_ALSO.match(text, objects[-1].end, mention.start)
        if glue is None or glue.end() != mention.start or mention.entity == first.entity:
            break
        objects.append(mention)
    return objects


_LIST_LABEL = re.compile(r"\W*(?:and\s+|et\s+)?[^:;]{0,80}:\s*")


def _elliptic_list(
    context: Reading,
    sentence: Sentence,
    start: int,
    end: int,
    act: tuple[type[TreatyAction], Mention, DateMention | None],
) -> None:
    """ "Signed by: A and B; observer States: C; non-member States: D": a labelled list after
    a ';' shares the act, treaty and date of the clause before it."""
    text = context.document.text
    label = _LIST_LABEL.match(text, start, end)
    if label is not None:
        start = label.end()
    elif not _only_names(context, start, end, []):
        return  # "signed by: A; B; C" goes on with names alone
    action, treaty, on = act
    for member in context.within(start, end, _STATES):
        context.facts.append(
            action(
                member.entity,
                treaty.entity,
                on.first if on is not None else None,
                evidence=context.evidence(sentence),
            )
        )


_OPENING_DAY = re.compile(
    r"(?:on\s+)?the\s+(?:first|opening)\s+day|(?:le\s+)?jour\s+de\s+l['’]ouverture", re.I
)


def _opening_day(context: Reading, treaty: Mention | None, on: DateMention) -> DateMention | None:
    """ "On the opening day": the day the text says the treaty opened, or no date at all."""
    if treaty is None:
        return None
    for fact in context.facts:
        if isinstance(fact, OpeningForSignature) and fact.treaty == treaty.entity and fact.date:
            return DateMention(on.start, on.end, fact.date)
    return None


_ACCESSION_TO = re.compile(
    r"\b(?:accession|accede[sd]?|acceding|adhésion|adhérer|adhère|adhéré)\s+(?:\w+\s+){0,3}?"
    r"(?:to|à|au|de)\s+(?:the\s+|la\s+|l['’]\s*)?$",
    re.I,
)


def _joined_by_treaty(context: Reading, start: int, end: int) -> list[Mention]:
    """ "Accession to NATO", "adhésion à l'Otan": an organisation with one treaty of its own
    stands for that treaty after an accession word."""
    text = context.document.text
    found = []
    for mention in context.within(start, end, ("organisation",)):
        if _ACCESSION_TO.search(text, max(start, mention.start - 60), mention.start) is None:
            continue
        treaty = context.lex.founding_treaty(mention.entity)
        if treaty is not None:
            found.append(Mention(mention.start, mention.end, mention.text, treaty, "reference"))
    return found


def same_day(context: Reading, sentence: Sentence, clause: str) -> DateMention | None:
    """ "On that day 40 states signed", "ce jour-là": the date of the sentence before."""
    if _SAME_DAY.search(clause) is None:
        return None
    index = _index(context, sentence)
    if not index:
        return None
    dates = [d for d in context.dates(context.document.sentences[index - 1]) if d.first.day]
    return dates[-1] if dates else None


def _clauses(context: Reading, sentence: Sentence) -> list[tuple[int, int]]:
    """Offsets of the clauses of a sentence, split where a new subject may start but never
    inside a name ("..., Especially Women and Children, supplementing the ... Convention")."""
    text = sentence.text
    names = [
        (m.start - sentence.start, m.end - sentence.start)
        for m in context.within(sentence.start, sentence.end)
    ]
    bounds = [0]
    for separator in _CLAUSE.finditer(text):
        if any(start < separator.start() < end for start, end in names):
            continue
        bounds += [separator.start(), separator.end()]
    bounds.append(len(text))
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


_AIMED_AT = re.compile(
    r"\b(?:enable|allow|permit|facilitate|accelerate|speed\s+up|hasten|ensure|bring\s+about"
    r"|pave\s+the\s+way\s+(?:for|to)|pending|awaits?|awaiting|hopes?\s+for|towards?|needed\s+for"
    r"|required\s+for|necessary\s+for|conditions?\s+for|thresholds?\s+for|permettre|favoriser"
    r"|accélérer|en\s+vue\s+de|nécessaires?\s+à)\s+(?:the\s+|its\s+|their\s+|l['’]|la\s+|son\s+)?"
    r"(?:(?:rapid|swift|speedy|early|prompt|quick|prochaine|rapide)\s+)?$",
    re.I,
)
"""What an entry into force is aimed at is not one: "to enable the rapid entry into force"."""


_AIMED_AT_SUBJECT = re.compile(
    r"\b(?:ensure|enable|allow|hasten|accelerate|speed\s+up|bring\s+about|permettre|garantir"
    r"|assurer|accélérer)\s+(?:that\s+|que\s+)?(?:the|its|this|le|la|l['’]|son|sa)\b[^.;:]*$",
    re.I,
)
_SOON = re.compile(
    r"\s+(?:as\s+(?:soon|quickly|early)\s+as\s+possible|soon|quickly|rapidly|swiftly"
    r"|dès\s+que\s+possible|rapidement|au\s+plus\s+vite|prochainement)\b",
    re.I,
)
"""An entry into force wished for: "to ensure the agreement enters into force as soon as
possible"."""
_NOT_DONE = re.compile(
    r"\b(?:not|never|n['’]t|yet\s+to|(?:intends?|intended|plans?|planned|expected|hopes?|wish(?:es)?"
    r"|ready|prepared|refused|failed|due|set|going|about|is|are)\s+to|will|shall|would|should"
    r"|could|may|might|must"
    r"|(?:urge[sd]?|urging|calls?|called|calling|invite[sd]?|inviting|encourage[sd]?|ask(?:s|ed)?)"
    r"\s+(?:on\s+|upon\s+)?(?:[\w'’-]+\s+){0,8}?to"
    r"|pas|plus|jamais|entend|envisage|compte|devrait|devraient|doit|doivent|va|vont|pourrait"
    r"|pourraient|(?:invite\w*|appel\w*|encourag\w*|exhort\w*)\s+(?:[\w'’-]+\s+){0,8}?à)"
    r"\s+(?:(?:yet|also|soon|formally|still|encore|bientôt|not|pas|have|be|been|été|être)\s+){0,3}$",
    re.I,
)
"""Words right before a verb that make it no act done: negation ("has not yet ratified",
"n'a pas signé"), intention or future ("intends to ratify", "will sign", "devrait signer"),
a call on someone ("urged Peru to accede"). An entry into force is exempt: treaties fix it
ahead, and "will enter into force on 1 July" is a fact."""


_TIME_AFTER_ACT = re.compile(
    r"\b(?:days?|weeks?|months?|years?|jours|semaines|mois|ans)\s+(?:after|following|from|après"
    r"|à\s+compter\s+d[eu])\s+(?:the\s+|le\s+|la\s+|l['’]\s*)?(?:(?:date\s+of\s+(?:the\s+)?)?"
    r"deposit(?:ing)?|dépôt|date\s+du\s+dépôt)\s+(?:of\s+|de\s+|d['’]\s*)?"
    r"(?:its\s+|their\s+|the\s+|son\s+|leur\s+|l['’]\s*)?(?:instruments?\s+(?:of\s+|de\s+|d['’]\s*))?$",
    re.I,
)
"""An act named to count time from it is stated elsewhere: "thirty days after the deposit of
its instrument of accession, on 9 May, X becomes a Party" dates the party, not the deposit."""
_CALL_ON_OTHERS = re.compile(
    r"\b(?:advocat\w*|urg\w*|call\w*\s+(?:on|upon)|invit\w*|encourag\w*|appel\w*|exhort\w*"
    r"|hop\w*|wish\w*|souhait\w*|esp[èée]r\w*)\s+"
    r"(?:that\s+|à\s+ce\s+que\s+|les\s+|the\s+)?(?:all\s+)?(?:other|remaining|autres)\s+"
    r"(?:states|countries|nations|[ée]tats|pays)\b[^.;]*$",
    re.I,
)
"""A call on the states that have not acted yet: "advocates that other States follow X's lead
and ratify" is no act of X."""


def _is_act(context: Reading, sentence: Sentence, trigger: re.Match[str]) -> bool:
    """False for a word that only looks like an act: "accession negotiations", "signed the
    law", "approved the budget", a participle that describes a non-treaty noun, an entry
    into force that is only aimed at, an act denied, intended or asked for."""
    text = sentence.text
    kind = trigger.lastgroup
    after = trigger.end()
    if _PROCESS_AFTER.match(text, after) and not _COMPLETED.search(
        text, max(0, trigger.start() - 30), trigger.start()
    ):
        return False
    if kind not in ("EntryIntoForce", "OpeningForSignature") and (
        _NOT_DONE.search(text, max(0, trigger.start() - 80), trigger.start())
        or _CALL_ON_OTHERS.search(text, max(0, trigger.start() - 150), trigger.start())
        or _TIME_AFTER_ACT.search(text, max(0, trigger.start() - 80), trigger.start())
    ):
        return False
    if _NOUN.fullmatch(trigger.group()) and (
        _ONLY_AWAITED.search(text, max(0, trigger.start() - 60), trigger.start())
        or _AWAITED_AFTER.match(text, after)
    ):
        return False
    if kind == "EntryIntoForce" and (
        _AIMED_AT.search(text, max(0, trigger.start() - 50), trigger.start())
        or _AIMED_AT_SUBJECT.search(text, max(0, trigger.start() - 120), trigger.start())
        or _SOON.match(text, after)
    ):
        return False
    if kind in ("Signature", "Ratification") and _NOT_A_TREATY_OBJECT.match(text, after):
        return False
    if kind in _WEAK:
        treaty_before = context.within(
            sentence.start, sentence.start + trigger.start(), ("treaty",)
        )
        if _OBJECT_BACK.match(text, after) and treaty_before:
            return True
        agent = _WEAK_AGENT.match(text, after)
        if agent is not None and treaty_before:  # "the Convention was approved by the EU"
            parties = context.within(sentence.start + agent.end(), sentence.end, _PARTIES)
            return bool(parties) and parties[0].start == sentence.start + agent.end()
        treaties = context.within(sentence.start + after, sentence.end, ("treaty",))
        if not treaties:
            return _INSTRUMENT.search(text[: trigger.start()]) is not None
        gap = text[after : treaties[0].start - sentence.start]
        return _DIRECT_OBJECT.match(gap) is not None
    return True


def _focus(
    context: Reading, clause_start: int, clause: str, treaties: list[Mention]
) -> Mention | None:
    """The treaty a clause without a named treaty is about: the one named last, when the
    clause refers back to it ("it", "their instruments of ratification", "ce traité"), labels
    a list of its parties ("Ratified on 20 May: A, B") or leaves the act's object unsaid
    ("A and B both signed and ratified.")."""
    if treaties:
        return None
    if not (
        _REFERS_BACK.search(clause)
        or _ACT_LABEL.match(clause)
        or _WITHOUT_OBJECT.search(clause)
        or _OWNED_INSTRUMENT.search(clause)
    ):
        return None
    return context.last_treaty(clause_start)


_ACT_LABEL = re.compile(
    r"\W*(?:(?:also|newly)\s+)?(?:signed|ratified|acceded|approved|accepted|signatures|ratifications"
    r"|accessions|signée?s?|ratifiée?s?)\b[^:.;]{0,40}:",
    re.I,
)
"""A list's label that names the act and, at most, its date: "Signed on 20 May: A, B"."""
_OWNED_INSTRUMENT = re.compile(
    r"['’]s\s+instruments?\s+of\s+(?:ratification|accession|acceptance|approval)", re.I
)
"""A state's instrument is one for the treaty the text is about: "the deposit of Peru's
instrument of ratification"."""
_WITHOUT_OBJECT = re.compile(
    r"\b(?:signed|ratified|acceded|signé|signée|ratifié|ratifiée|adhéré)"
    r"(?:\s+(?:too|also|as\s+well|both|today|yesterday|aussi|également|aujourd['’]hui))*\W*$",
    re.I,
)
"""An act whose object goes unsaid because the treaty was just named: "A and B both signed
and ratified."."""


_INSIDE_PHRASE = re.compile(
    r"\b(?:of|to|under|implementing|amending|on|for|with|de|du|des|à|au|aux)\s+"
    r"(?:the\s+|la\s+|le\s+|les\s+|l['’]\s*)?$",
    re.I,
)
_RELATIVE_ASIDE = re.compile(r",\s+(?:which|that|who|qui|que)\b[^,;]*$", re.I)


def _subject_treaty(
    context: Reading,
    treaties: list[Mention],
    focus: Mention | None,
    clause_start: int,
    trigger: re.Match[str],
    sentence: Sentence,
) -> Mention | None:
    """The treaty that enters into force is the verb's subject: the last named before the
    verb, not one inside another noun's phrase ("the amendments to the Convention") or a
    relative clause ("the code, which implements the Convention, entered into force"); a
    treaty named after the verb is no subject ("X entered into force in 2004 and its
    Protocol in 2006")."""
    text = context.document.text
    verb_start = sentence.start + trigger.start()
    before = [m for m in treaties if m.end <= verb_start]
    if not before:
        return focus if focus is not None else _treaty_of(text, treaties, None, verb_start)
    subject = _treaty_of(text, before, focus, verb_start)
    if subject is None or subject.start < clause_start:
        return subject
    if _INSIDE_PHRASE.search(text, max(clause_start, subject.start - 30), subject.start):
        return None
    aside = _RELATIVE_ASIDE.search(text, max(clause_start, subject.start - 80), subject.start)
    if aside is not None and "," in text[subject.end : verb_start]:
        return None
    return subject


def _treaty_of(
    text: str, treaties: list[Mention], focus: Mention | None, position: int
) -> Mention | None:
    """The treaty acted on: the first named after the verb (its object), else the nearest
    before it that no apposition sets aside ("The Nagoya Protocol, a supplementary agreement to
    the Convention on Biological Diversity, entered into force": the Protocol did)."""
    after = [m for m in treaties if m.start >= position]
    if after:
        return after[0]
    before = [m for m in treaties if m.start < position]
    for index in range(len(before) - 1, 0, -1):
        mention = before[index]
        opened = before[index - 1].end
        if _APPOSITION_OPENS.search(text, opened, mention.start) and _APPOSITION_CLOSES.match(
            text, mention.end, position
        ):
            continue
        if _HEAD_OF.fullmatch(text, opened, mention.start):
            return before[index - 1]  # "the Nagoya Protocol to the Convention ...": the Protocol
        return mention
    if before:
        return before[0]
    return focus


_HEAD_OF = re.compile(r"\s+(?:to|à|au)\s+(?:the\s+|la\s+|l['’]\s*)?", re.I)
_APPOSITION_OPENS = re.compile(r",\s+(?:a|an|the|which|that|its|itself)\b[^,;]*$", re.I)
_APPOSITION_CLOSES = re.compile(r"[^,;]{0,40}?,", re.I)


def _date_of(
    text: str, trigger: re.Match[str], triggers: list[re.Match[str]], dates: list[DateMention]
) -> DateMention | None:
    """The date tied to a verb: the first after it with no other act or event in between
    ("signed in Rome on 5 May"), else the last before it ("On 5 May, X signed")."""
    shared = _SHARED_DATE.search(text, 0, trigger.start()) is not None
    others = [
        t
        for t in triggers
        if t.lastgroup != trigger.lastgroup
        and not (shared and t.lastgroup == "OpeningForSignature")
        and not _COORDINATED_VERBS.fullmatch(text, trigger.end(), t.start())
    ]
    for date in dates:
        if date.start >= trigger.end() and _free(text, trigger.end(), date.start, others):
            return date
    for date in reversed(dates):
        if date.end <= trigger.start() and _free(text, date.end, trigger.start(), others):
            if any(_OWN_DATE.fullmatch(text, t.end(), date.start) for t in others):
                return None  # "which Peru signed today, will enter ...": the signing's date
            return date
    return None


_COORDINATED_VERBS = re.compile(r"\s*(?:,|and|et|or|ou|,\s*and)\s*", re.I)
"""Verbs joined this way share their date: "signed and ratified the Convention today"."""
_OWN_DATE = re.compile(r"\s+(?:[\w'’-]+\s+){0,6}?(?:on|in|le|en)?\s*", re.I)
"""A date a few words after another act belongs to that act."""


def _free(text: str, start: int, end: int, others: list[re.Match[str]]) -> bool:
    if any(start <= t.start() < end for t in others):
        return False
    return _OTHER_EVENT.search(text, start, end) is None


def _leading_date(
    text: str,
    leading: list[DateMention],
    clause_dates: list[DateMention],
    start: int,
    trigger: re.Match[str],
) -> DateMention | None:
    """ "On 7 April, A approved ..., and B accepted ...", "Le 3 mai, A a signé ... et B l'a
    ratifiée": a date opening the sentence holds for every later act that has no date of its
    own, but for one done before it ("which B had signed") and for a treaty's own events."""
    if not leading:
        return None
    if start > 0:
        return None if clause_dates else leading[0]
    if clause_dates != leading[:1] or trigger.lastgroup in (
        "EntryIntoForce",
        "OpeningForSignature",
    ):
        return None
    return (
        None if _EARLIER.search(text, max(0, trigger.start() - 25), trigger.start()) else leading[0]
    )


_EARLIER = re.compile(r"\b(?:had|avait|avaient)\s+(?:\w+\s+)?$", re.I)


def _actors(
    context: Reading, sentence: Sentence, trigger: re.Match[str], start: int, end: int
) -> list[Entity]:
    """Who acts, within the clause [start, end) of the sentence (sentence offsets).

    Passive ("was signed today by A, B and the European Union", "ratification of X by A"):
    the states and organisations after "by", not those excepted, and only the states named
    when a count comes first ("by 32 states, including A"). Active: the subject, the states
    (and organisations) before the verb that are not places or partners; failing those, the
    states of a list after the verb ("ont signé : A, B et C").
    """
    text = context.document.text
    offset = sentence.start
    verb_start, verb_end = offset + trigger.start(), offset + trigger.end()
    clause_start, clause_end = offset + start, offset + end
    passive = _PASSIVE.match(text, verb_end, clause_end)
    noun = _NOUN.fullmatch(trigger.group()) is not None
    received = _RECEIVED_FROM.match(text, verb_end, clause_end) if noun else None
    if (
        noun
        and received is None
        and _RECEIVES.search(text, max(clause_start, verb_start - 40), verb_start)
    ):
        received = _FROM.match(text, verb_end, clause_end)  # "received five ratifications from"
    if received is not None:  # "ratifications were received from A and B"
        senders = context.within(received.end(), clause_end, _STATES)
        if senders and senders[0].start == received.end():
            return [m.entity for m in listed_together(text, senders)]
    if passive is not None and (
        _passive_gap_ok(context, verb_end, passive.end())
        or (noun and _DEPOSIT.search(text, verb_end, passive.end()) is not None)
    ):  # "instruments of ratification were deposited by A and B"
        # The agents end where another act begins: "signed by A and ratified by B".
        following = _TRIGGER.search(text, passive.end(), clause_end)
        agents_end = following.start() if following is not None else clause_end
        agents = [
            m
            for m in context.within(passive.end(), agents_end, _PARTIES)
            if not text[max(0, m.start - 4) : m.start].lower().endswith("non-")
            and not _MEMBERS_OF.match(text, m.end)
            and not _excepted(text, passive.end(), m.start)
        ]
        if _COUNT_FIRST.match(text, passive.end()):
            agents = [  # "by 12 states (A, B) as well as by the European Union"
                m
                for m in agents
                if m.entity.kind in _STATES or _SECOND_AGENT.search(text, passive.end(), m.start)
            ]
        if agents:
            return [m.entity for m in agents]
    before = context.within(clause_start, verb_start, _PARTIES)
    if noun:
        owners = _owners(context, before, verb_start)
        if owners:
            return owners
        by_whom = _NOUN_AGENT.match(text, verb_end, clause_end)
        if by_whom is not None:  # "with the signature of Peru", "la ratification par le Pérou"
            agents = context.within(by_whom.end(), clause_end, _STATES)
            if (
                agents
                and agents[0].start == by_whom.end()
                and not _POSSESSIVE.match(text, agents[0].end)  # "of Europe's Convention"
            ):
                return [m.entity for m in listed_together(text, agents)]
        colon = text.find(":", verb_end, clause_end)
        if colon >= 0 and _LIST_NOUN.fullmatch(trigger.group()):
            return [
                m.entity for m in context.within(colon, clause_end, _PARTIES)
            ]  # "Signatories: A"
        listing = _LISTING_VERB.search(text, verb_end, clause_end)
        if listing is not None and _LIST_NOUN.fullmatch(trigger.group()):
            return [  # "The signatories of the Convention include A and B"
                m.entity for m in context.within(listing.end(), clause_end, _PARTIES)
            ]
        if not (
            _INSTRUMENT.search(text, clause_start, verb_start)
            or _DEPOSIT.search(text, clause_start, verb_start)
        ):
            return []
    subjects = [
        m
        for m in before
        if not (
            _BEFORE_PLACE.search(text, max(clause_start, m.start - 40), m.start)
            and not _ENVOYS_FROM.search(text, max(clause_start, m.start - 40), m.start)
        )
        and not (_POSSESSIVE.match(text, m.end) and not _SPEAKS_FOR.match(text, m.end + 2))
        and not _MEMBERS_OF.match(text, m.end)
        and not (
            _BEFORE_TIME.search(text, max(clause_start, m.start - 12), m.start)
            and text[m.end : m.end + 1] == ","
        )
        and (m.entity.kind in _STATES or _party_organisation(text, m, verb_start))
    ]
    if subjects:
        few = _THE_LAST_FEW.search(text, subjects[-1].end, verb_start)
        if few is not None:  # "A, B and C (these last two signed and ratified)": B and C
            subjects = subjects[-(parse_number(few.group("number")) or len(subjects)) :]
        return [m.entity for m in subjects] + _as_has(context, verb_end, clause_end)
    if noun:
        return []
    speakers = _state_speakers(context, clause_start, verb_start)
    if speakers:
        return speakers + _as_has(context, verb_end, clause_end)
    listed = [
        m
        for m in context.within(verb_end, clause_end, _STATES)
        if not _BEFORE_PLACE.search(text, max(verb_end, m.start - 40), m.start)
        and not _excepted(text, verb_end, m.start)
    ]
    return [m.entity for m in listed]


_THE_LAST_FEW = re.compile(
    rf"\b(?:these|those|the)\s+(?:last|latter)\s+(?P<number>{NUMBER})\b"
    r"(?:\s+(?:states|countries|parties))?\s+(?:(?:both|also|each)\s+)?(?:have\s+|has\s+)?$"
    rf"|\b(?:ces|les)\s+(?P<number_fr>{NUMBER})\s+derniers\s+(?:[ée]tats|pays)?\s*(?:ont\s+)?$",
    re.I,
)
"""A subject that takes the last few of the states named before it."""
_RECEIVED_FROM = re.compile(
    r"\s*(?:(?:of|to|de|du)\s+(?:the\s+|la\s+|le\s+|l['’]\s*)?[^,;.]{0,120}?)?"
    r"(?:were|was|have\s+been|has\s+been|ont\s+été|a\s+été)\s+(?:\w+\s+)?"
    r"(?:received|reçue?s?)\s+(?:from|de\s+la\s+part\s+d[eu]|d[eu])\s+"
    r"(?:the\s+|la\s+|le\s+|l['’]\s*)?",
    re.I,
)
"""An act's noun and who sent it: "instruments of ratification were received from A"."""
_OWNS_ACT = re.compile(
    r"(?:['’]s?)?\s+(?:(?:instruments?|documents?|notifications?)\s+(?:of|d['’]|de)\s+)?", re.I
)
"""What joins an act's noun to who did it: "Peru's ratification", "Peru's instrument of
ratification", "the United States ratification"."""


def _owners(context: Reading, before: list[Mention], verb_start: int) -> list[Entity]:
    """The parties that own an act's noun, with those listed before them: "Gabon and India's
    ratifications" are two acts."""
    text = context.document.text
    if not before or not _OWNS_ACT.fullmatch(text, before[-1].end, verb_start):
        return []
    return [m.entity for m in joined_before(text, before)]


_RECEIVES = re.compile(
    r"\b(?:received|garnered|gathered|collected|recorded|reçu|recueilli|enregistré)\s+"
    r"(?:[\w-]+\s+){0,3}$",
    re.I,
)
_FROM = re.compile(
    r"\s+(?:from|de\s+la\s+part\s+d[eu]|de\s+la\s+part\s+de\s+l['’])\s*(?:the\s+|la\s+|le\s+|l['’]\s*)?",
    re.I,
)
"""A treaty that received acts from states: "received five ratifications from A and B"."""
_NOUN_AGENT = re.compile(r"\s+(?:of|by|de|du|par)\s+(?:the\s+|la\s+|le\s+|l['’]\s*)?", re.I)
"""An act's noun followed by who acted: "the signature of Peru", "ratification by Ghana"."""
_BARE_ACCESSION = re.compile(r"accession|adhésion", re.I)
"""The noun alone ("X's accession to the Convention on 5 May") states an act only with its
date and a treaty named as such: "accession to NATO" is a membership, "the EU's accession to
the Convention is part of its efforts" a topic."""
_ONLY_AWAITED = re.compile(
    r"\b(?:forward\s+to|await\w*|pending|hopes?\s+for|calls?\s+for|called\s+for|urg\w+"
    r"|towards?|prospect|expected|upcoming|future|possible|planned|prochaine?|attend\w*"
    r"|appel\w*\s+à|en\s+vue\s+de|decisions?\s+(?:on|about|concerning)|approving"
    r"|authori[sz]ing|proposals?\s+(?:for|on)|décision\s+(?:sur|relative\s+à)|approuvant"
    r"|autorisant|proposition\s+(?:de|relative\s+à))\b[^.;]*$",
    re.I,
)
"""Words before an act's noun that make it one not yet done: "looks forward to the
ratification by Peru", "calls for the signature of", "a decision on the accession of"."""
_AWAITED_AFTER = re.compile(
    r"[^.;]{0,120}?\b(?:is|are|was|were|remains?|est|sont|reste)\s+(?:still\s+|encore\s+)?"
    r"(?:expected|planned|scheduled|due|foreseen|envisaged|pending|prévue?s?|attendue?s?)\b",
    re.I,
)
"""...or words after it: "Brazil's accession to the Convention is expected in 2025"."""
_LIST_NOUN = re.compile(
    r"signatories|signataires|parties|signatures|ratifications|accessions|adhésions", re.I
)
_LISTING_VERB = re.compile(
    r"\b(?:include[sd]?|including|are|were|comprise[sd]?|sont|étaient|comprennent|incluent)\s+",
    re.I,
)
_AS_HAS = re.compile(
    r",?\s+(?:as\s+(?:has|have|had|did|does)|tout\s+comme|de\s+même\s+que)\s+(?:the\s+|la\s+|le\s+|l['’]\s*)?",
    re.I,
)
_SPEAKS_FOR = re.compile(
    r"(?:\s+(?:foreign|prime|deputy|vice|permanent))*\s+(?:government|authorities|minister|president"
    r"|prime\s+minister|ambassador|representative|delegation|parliament|chancellor|king|queen)\b",
    re.I,
)


def _as_has(context: Reading, verb_end: int, clause_end: int) -> list[Entity]:
    """ "A and B have signed it, as has the European Union": the party added after the verb."""
    text = context.document.text
    also = _AS_HAS.search(text, verb_end, clause_end)
    if also is None:
        return []
    named = context.within(also.end(), clause_end, _PARTIES)
    return [named[0].entity] if named and named[0].start == also.end() else []


def _state_speakers(context: Reading, start: int, verb_start: int) -> list[Entity]:
    """ "Estonian Foreign Minister K. E. has signed", "the Portuguese authorities ratified":
    a state named by its adjective before the one who acts for it."""
    from loaders.rules.mentions import state_of_adjective

    text = context.document.text
    found: list[Entity] = []
    for word in re.finditer(
        r"(?<![\w-])(?=([A-Z][a-zé]+(?:\s+[A-Z][a-z]+)?))", text[start:verb_start]
    ):
        for name in (word.group(1), word.group(1).split()[0]):  # "Costa Rican", "Estonian"
            state = state_of_adjective(name, context.lex)
            at = start + word.start() + len(name)
            if state is not None and _SPEAKS_FOR.match(text, at) and state not in found:
                found.append(state)
                break
    return found


def _passive_gap_ok(context: Reading, verb_end: int, by_end: int) -> bool:
    """ "signed today by", "ratification of the Convention by": treaty names aside, the words
    before "by" hold no other verb ("ratified the Convention adopted by the Committee")."""
    text = context.document.text
    gap = text[verb_end:by_end]
    for mention in context.within(verb_end, by_end, ("treaty",)):
        gap = gap.replace(mention.text, " ")
    return _PASSIVE_GAP_VERB.search(gap) is None


def _party_organisation(text: str, mention: Mention, verb_start: int) -> bool:
    """An organisation acts as a party only as the verb's subject: "the European Union signed",
    "175 Parties (174 countries and the European Union) signed", "the European Union deposited
    its instrument of approval"."""
    if mention.entity.kind != "organisation":
        return False
    return _SUBJECT_GAP.fullmatch(text, mention.end, verb_start) is not None


_SUBJECT_GAP = re.compile(
    r"\s*\)?\s*,?\s*(?:(?:today|yesterday|also|has|have|had|now|formally|officially|a|ont|aussi)\s+)*"
    r"(?:(?:deposited|lodged|submitted|handed\s+over|déposé|remis)\s+(?:its|their|the|an|son|leur"
    r"|l['’]|un)\s*(?:(?:instruments?|documents?)\s+(?:of|d['’]|de)\s*)?)?",
    re.I,
)
"""What may lie between an organisation acting as a party and its act."""


def _excepted(text: str, start: int, position: int) -> bool:
    """ "ratified by all members except A and B (...)": A and B are the ones who did not;
    "except A, and also by B": B did."""
    exceptions = list(_EXCEPT.finditer(text, start, position))
    if not exceptions:
        return False
    exception = exceptions[-1]
    between = text[exception.end() : position]
    if _EXCEPTION_ENDS.search(between):
        return ")" in between and "(" not in text[start : exception.start()]
    return True


def _entry_actors(
    context: Reading, trigger: re.Match[str], sentence: Sentence, end: int
) -> list[Entity | None]:
    """Entry into force for a state named "for X" / "in X", for "both countries" the states
    that acted in the sentence before, else for the treaty as a whole."""
    text = context.document.text
    verb_end = sentence.start + trigger.end()
    states = context.within(verb_end, sentence.start + end, _STATES)
    first = next(
        (i for i, m in enumerate(states) if _FOR_STATE.match(text[verb_end : m.start])), None
    )
    named = [] if first is None else [m.entity for m in listed_together(text, states[first:])]
    if not named and _FOR_THOSE.match(text, verb_end):
        index = _index(context, sentence)
        if index:
            previous = context.document.sentences[index - 1]
            named = [
                fact.actor
                for fact in context.facts
                if isinstance(fact, TreatyAction)
                and not isinstance(fact, EntryIntoForce)
                and fact.evidence.start == previous.start
                and fact.actor is not None
            ]
    return list(dict.fromkeys(named)) or [None]


_FOR_THOSE = re.compile(
    r"\s+(?:for|in\s+respect\s+of|pour|à\s+l['’]égard\s+d[eu']s?)\s+(?:both|the\s+two|these"
    r"|those|each\s+of\s+the(?:se)?|les\s+deux|ces|chacun\s+de\s+ces)\s+(?:\w+\s+)?"
    r"(?:countries|states|nations|parties|pays|[ée]tats|parties)\b",
    re.I,
)
"""An entry into force for the states just named: "for both countries", "pour ces États"."""


_GAPPED_TREATY = re.compile(
    r"\s*,?\s+(?:and|et)\s+(?:its\s+|their\s+|the\s+|son\s+|sa\s+|le\s+|la\s+|l['’]\s*)?", re.I
)
_GAPPED_ON = re.compile(r"\s+(?:on|in|le|en)\s+", re.I)


def _gapped_entry(context: Reading, sentence: Sentence, on: DateMention, clause_end: int) -> None:
    """ "X entered into force on 1 July 2004 and its Protocol on 1 March 2006": the verb left
    out, a second treaty with a date of its own."""
    text = context.document.text
    after = sentence.start + on.end
    treaties = context.within(after, clause_end, ("treaty",))
    if not treaties or not _GAPPED_TREATY.fullmatch(text, after, treaties[0].start):
        return
    treaty = treaties[0]
    for date in context.dates(sentence):
        if _GAPPED_ON.fullmatch(text, treaty.end, sentence.start + date.start):
            context.facts.append(
                EntryIntoForce(None, treaty.entity, date.first, evidence=context.evidence(sentence))
            )
            return


_THEY_INCLUDE = re.compile(
    r"\W*(?:they|these|those|among\s+them|ils|elles|parmi\s+eux|ce\s+sont|il\s+s['’]agit)\s+"
    r"(?:(?:states|countries|are|were|include[sd]?|comprise[sd]?|sont|incluent|comprennent|de|d['’])"
    r"\s*)+",
    re.I,
)
_COUNTED_ACT = re.compile(
    rf"\b{QN}\s+(?:\w+\s+)?(?:states|countries|nations|parties|pays|[ée]tats)\s+(?:have\s+|has\s+"
    r"|had\s+|ont\s+|avaient\s+)?(?:now\s+|already\s+|also\s+|déjà\s+)?(?:(?P<Signature>signed|signé)"
    r"|(?P<Ratification>ratified|ratifié)|(?P<Accession>acceded|adhéré)|(?:deposited|déposé)\s+"
    r"(?:their\s+|leurs\s+)?instruments?\s+(?:of|for|d['’]|de)\s*(?:(?P<deposit_ratification>ratification)"
    r"|(?P<deposit_accession>accession|adhésion)))\b",
    re.I,
)
"""A number of states that acted, whom the next sentence names: "15 countries have ratified
it. They include A and B"."""


def _members_of_a_count(context: Reading, sentence: Sentence, start: int) -> None:
    """ "Fifteen countries have ratified the Convention. They include A, B and C.": each named
    state did the act the sentence before counts, on no date the text ties to it."""
    index = _index(context, sentence)
    if not index:
        return
    previous = context.document.sentences[index - 1]
    counted = _COUNTED_ACT.search(previous.text)
    if counted is None:
        return
    kind = (counted.lastgroup or "").replace("deposit_", "").capitalize()
    action = _KINDS.get(kind)
    at = previous.start + counted.end()
    treaties = context.within(at, previous.end, ("treaty",))
    treaty = treaties[0] if treaties else context.last_treaty(at)
    if action is None or treaty is None:
        return
    text = context.document.text
    named = context.within(sentence.start, sentence.end, _PARTIES)
    if not named or named[0].start - start > 5:
        return
    for mention in listed_together(text, named):
        context.facts.append(
            action(mention.entity, treaty.entity, None, evidence=context.evidence(sentence))
        )


def _follow_up_date(context: Reading, sentence: Sentence) -> DateMention | None:
    """ "... needed for its entry into force. This will occur on 24 December.": that date."""
    sentences = context.document.sentences
    index = _index(context, sentence)
    if index is None or index + 1 >= len(sentences):
        return None
    following = sentences[index + 1]
    if not _FOLLOW_UP.match(following.text):
        return None
    dates = context.dates(following)
    return dates[0] if dates else None


def _index(context: Reading, sentence: Sentence) -> int | None:
    sentences = context.document.sentences
    low, high = 0, len(sentences)
    while low < high:
        middle = (low + high) // 2
        if sentences[middle].start < sentence.start:
            low = middle + 1
        else:
            high = middle
    return low if low < len(sentences) and sentences[low].start == sentence.start else None


_ANNIVERSARY = re.compile(
    rf"\b(?P<nth>{ORDINAL}|first|premier|première)\s+anniversa(?:ry|ire)\s+(?:of|de)\s+"
    r"(?:the\s+|l['’]\s*)?$",
    re.I,
)
"""An opening dated by its anniversary: "today marks the 1st anniversary of the opening"."""


def _opening(
    context: Reading,
    sentence: Sentence,
    treaty: Mention,
    on: DateMention | None,
    trigger: re.Match[str],
) -> None:
    places = context.within(sentence.start, sentence.end, ("place",))
    day = on.first if on is not None and on.last is None else None
    anniversary = _ANNIVERSARY.search(sentence.text, max(0, trigger.start() - 40), trigger.start())
    if anniversary is not None and day is not None and day.day is not None:
        years = parse_ordinal(anniversary.group("nth")) or 0
        try:
            day = PartialDate(day.year - years, day.month, day.day) if years else None
        except ValueError:
            day = None  # 29 February
    elif anniversary is not None:
        return
    context.facts.append(
        OpeningForSignature(
            treaty.entity,
            day,
            places[0].entity if places else None,
            evidence=context.evidence(sentence),
        )
    )


def _listed(
    context: Reading,
    sentence: Sentence,
    action: type[TreatyAction],
    actors: Sequence[Entity | None],
    treaty: Mention | None,
    on: DateMention | None,
) -> None:
    """A sentence ending in ":" followed by list lines: "X ratified the following treaties:"
    then one treaty a line, or "The following states signed it:" then one state a line; a
    line is bulleted or numbered, or holds nothing but names (and their dates)."""
    sentences = context.document.sentences
    index = _index(context, sentence)
    if index is None:
        return
    for line in sentences[index + 1 :]:
        if _MARKER_ALONE.fullmatch(line.text):
            continue  # "1." split from its line
        if not (_BULLET.match(line.text) or _names_only(context, line)):
            break
        treaties = context.within(line.start, line.end, ("treaty",))
        states = [m.entity for m in context.within(line.start, line.end, _PARTIES)]
        own = [d for d in context.dates(line) if d.first.day is not None]
        date = own[0].first if own else (on.first if on is not None else None)
        evidence = context.evidence(line)
        lead = context.evidence(sentence)
        if treaties and actors:  # "X has ratified:" then one treaty a line
            for mention in treaties:
                for actor in actors:
                    context.facts.append(
                        action(actor, mention.entity, date, evidence=evidence, introduced_by=lead)
                    )
        elif treaty is not None and not treaties and not actors:  # "These states signed it:"
            for state in states:
                context.facts.append(
                    action(state, treaty.entity, date, evidence=evidence, introduced_by=lead)
                )


_MARKER_ALONE = re.compile(r"\s*(?:[-–—•*]|\d+[.)])\s*")
_FILLER = re.compile(r"(?:[\W\d_]|\b(?:and|et|the|la|le|les|l['’]))*", re.I)


def _names_only(context: Reading, line: Sentence) -> bool:
    """A line of a list with no bullet: names of parties or treaties, their dates, commas."""
    dates = [(line.start + d.start, line.start + d.end) for d in context.dates(line)]
    return _only_names(context, line.start, line.end, dates)


def _only_names(context: Reading, start: int, end: int, dates: list[tuple[int, int]]) -> bool:
    """Whether [start, end) holds names of parties or treaties and the given date spans, joined
    by nothing but punctuation, "and" and articles."""
    names = context.within(start, end, (*_PARTIES, "treaty"))
    if not names:
        return False
    text = context.document.text
    position = start
    for name_start, name_end in sorted([(m.start, m.end) for m in names] + dates):
        if name_start >= position and not _FILLER.fullmatch(text, position, name_start):
            return False
        position = max(position, name_end)
    return _FILLER.fullmatch(text, position, end) is not None


def _ordinals(context: Reading, sentence: Sentence, triggers: list[re.Match[str]]) -> None:
    """ "X became the 60th State to ratify the treaty", "Y has become the 61st": a ratification
    (or the act named after "to") by the subject, of the treaty named or in focus."""
    text = sentence.text
    for match in _BECAME_NTH.finditer(text):
        if parse_ordinal(match.group("ordinal")) is None:
            continue
        if any(
            match.start() <= t.start() < match.end() and not _NOUN.fullmatch(t.group())
            for t in triggers
        ):
            continue  # the verb after "to" is read as the act itself; "signatory" is no verb
        verb = (match.group("verb") or "").lower()
        noun = (match.group("noun") or "").lower()
        if verb.startswith("sign") or noun.startswith(("signator", "signataire")):
            action: type[TreatyAction] = Signature
        elif verb.startswith("accede") or match.group("noun_verb") == "accession":
            action = Accession
        elif verb.startswith("approv"):
            action = Approval
        elif verb.startswith("accept"):
            action = Acceptance
        elif verb or match.group("noun_verb") or noun.startswith(("part", "contracting")):
            action = Ratification
        elif not noun or noun.startswith(
            ("state", "country", "countr", "nation", "état", "etat", "pays")
        ):
            if not re.search(r"ratif", _context_text(context, sentence), re.I):
                continue
            action = Ratification
        else:
            continue
        at = sentence.start + match.start()
        subjects = [
            m
            for m in context.within(sentence.start, at, _PARTIES)
            if not _POSSESSIVE.match(context.document.text, m.end)
            and not _BEFORE_PLACE.search(
                context.document.text, max(sentence.start, m.start - 40), m.start
            )
        ]
        if not subjects:
            continue
        treaties = context.within(at, sentence.end, ("treaty",))
        treaty = treaties[0] if treaties else context.last_treaty(at)
        if treaty is None:
            continue
        clause_dates = [d for d in context.dates(sentence) if not _TIMESTAMP.match(text, d.end)]
        on = _date_of(
            text, match, [], [d for d in clause_dates if abs(d.start - match.start()) < 80]
        )
        context.facts.append(
            action(
                subjects[-1].entity,
                treaty.entity,
                on.first if on is not None else None,
                evidence=context.evidence(sentence),
            )
        )


def _context_text(context: Reading, sentence: Sentence) -> str:
    """The sentence and the one before it: "the first country to ratify ..., Y has become the
    60th" needs the verb said earlier."""
    index = _index(context, sentence)
    if index:
        return context.document.sentences[index - 1].text + " " + sentence.text
    return sentence.text
