"""The rules parser acts only on what the customer asked: negated, hypothetical,
questioning, quote-seeking or withdrawn requests give no proposal; the target is the tier
moved TO; tier names are read through typos and in six languages."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.proposal.proposal import ProposalResult
from tests.proposal.harness import tier_request
from vouchflow.proposal.parser_rules import parse_with_rules
from vouchflow.proposal.request_tiers import canonical_tiers, tier_of_word

# A Wednesday.
NOW = dt.datetime(2027, 3, 10, 9, 30, tzinfo=dt.UTC)


def parse(text: str, tier: str = "standard") -> ProposalResult:
    return parse_with_rules(tier_request(text, tier=tier, now=NOW))


def target_of(text: str, tier: str = "standard") -> str | None:
    result = parse(text, tier)
    return result.proposal.target_tier if result.proposal else None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # Negated, in each language, with the negation away from the verb.
        ("We do NOT want to be moved to premium.", "negated"),
        ("Never switch our account to basic, whatever the invoice says.", "negated"),
        ("Please don't, under any circumstances, bump us up to premium.", "negated"),
        ("Bitte stellen Sie uns nicht auf Premium um.", "negated"),
        ("Merci de ne pas nous passer au forfait premium.", "negated"),
        ("Wij willen niet naar premium overstappen.", "negated"),
        ("Per favore non spostateci al piano premium.", "negated"),
        ("Por favor no nos pasen a premium.", "negated"),
        ("Stop the downgrade to basic we asked for.", "negated"),
        # Hypothetical or still being weighed.
        ("We are weighing things up and considering a switch to premium.", "hypothetical"),
        ("Perhaps we should go to basic one day.", "hypothetical"),
        ("If we were to move to premium, would reporting improve?", "hypothetical"),
        ("Wir überlegen, eventuell auf Premium zu wechseln.", "hypothetical"),
        ("Nous envisageons peut-être de passer au premium.", "hypothetical"),
        ("We had planned to move to premium this spring.", "hypothetical"),
        # A question, not a request.
        ("Does moving to premium change our invoice date?", "a question"),
        # A quote or a price first.
        ("Upgrade to premium looks good - how much would that be per month?", "quote"),
        ("Können Sie mir ein Angebot für den Wechsel zu Premium schicken?", "quote"),
    ],
)
def test_a_request_that_asks_for_no_change_gives_no_proposal(text: str, why: str) -> None:
    result = parse(text)
    assert result.proposal is None, result
    assert why in (result.failure_reason or "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Switch us to premium please. Hmm, never mind, leave it.", "withdrawn"),
        ("Go ahead with basic. Scratch that, we stay with standard.", "stay on standard"),
        ("Passez-nous au premium. Finalement non, laissez tomber.", "withdrawn"),
        ("Please upgrade us to premium. On second thought, keep everything as it is.", "stay"),
        ("Bitte auf Premium umstellen. Doch nicht, wir bleiben beim Standard.", "stay on standard"),
    ],
)
def test_a_request_withdrawn_in_the_same_message_gives_no_proposal(text: str, reason: str) -> None:
    result = parse(text)
    assert result.proposal is None
    assert reason in (result.failure_reason or "")


@pytest.mark.parametrize(
    ("text", "target"),
    [
        # The latest word wins; a correction names the tier meant.
        ("Put us on basic. Actually no, make it premium.", "premium"),
        ("Upgrade us to premium - sorry, I meant standard.", "standard"),
        ("Stay on basic for now? No: move us to premium.", "premium"),
        # The tier moved to, not the first one named.
        ("The premium reports are not used any more, so please move us to basic.", "basic"),
        ("Premium is too expensive for us; we'd like to change to standard.", "standard"),
        ("Our standard plan is too small, upgrade to premium.", "premium"),
        # A comma, "so" or "but" ends the reach of a negation or a hesitation.
        ("We're not satisfied with basic, move us to premium.", "premium"),
        ("Not sure about the name, but please upgrade to premium.", "premium"),
        # A polite question is a request.
        ("Could you kindly move us to basic?", "basic"),
        ("Would it be possible to upgrade our account to premium?", "premium"),
    ],
)
def test_the_target_is_the_tier_the_customer_finally_moves_to(text: str, target: str) -> None:
    assert target_of(text, tier="standard" if target != "standard" else "basic") == target


@pytest.mark.parametrize(
    "text",
    [
        "We need better premium support hours.",
        "Is there a premium add-on for storage?",
        "Could you send over the standard pricing?",
        "Please move us from basic to standard or premium, whichever fits.",
    ],
)
def test_a_tier_word_that_names_a_feature_or_an_alternative_is_no_target(text: str) -> None:
    assert parse(text, tier="basic").proposal is None


@pytest.mark.parametrize(
    ("word", "tier"),
    [
        ("premuim", "premium"),
        ("preimum", "premium"),
        ("premiun", "premium"),
        ("stnadard", "standard"),
        ("standar", "standard"),
        ("basci", "basic"),
        ("baisc", "basic"),
        ("estándar".replace("á", "a"), "standard"),
        ("standaard", "standard"),
        ("basique", "basic"),
        ("premiumtarif", "premium"),
    ],
)
def test_tier_names_are_read_through_typos_and_languages(word: str, tier: str) -> None:
    assert tier_of_word(word) == tier


@pytest.mark.parametrize(
    "word", ["premier", "premise", "basis", "basin", "stanford", "standort", "bonus", "price"]
)
def test_real_words_near_a_tier_name_are_not_tiers(word: str) -> None:
    assert tier_of_word(word) is None


def test_basis_is_basic_only_beside_a_plan_noun() -> None:
    assert canonical_tiers("wechsel auf den basis-tarif")[0] == "wechsel auf den basic-tarif"
    assert canonical_tiers("paid on a monthly basis")[0] == "paid on a monthly basis"


@pytest.mark.parametrize(
    ("text", "current", "target"),
    [
        ("premuim plz", "standard", "premium"),
        ("Downgrade us to stnadard next month.", "premium", "standard"),
        ("Wir möchten vom Standard- in den Premium-Tarif wechseln.", "standard", "premium"),
        ("Nous voudrions passer de basique à standard.", "basic", "standard"),
        ("Kunnen jullie ons overzetten naar het standaard pakket?", "basic", "standard"),
        ("Vorremmo passare dal piano base al piano premium.", "basic", "premium"),
        ("Queremos cambiar de básico a estándar.", "basic", "standard"),
        ("Estamos en premium y queremos bajar a básico.", "premium", "basic"),
    ],
)
def test_requests_are_read_in_six_languages_and_through_typos(
    text: str, current: str, target: str
) -> None:
    result = parse(text, tier=current)
    assert result.proposal is not None, result.failure_reason
    assert (result.proposal.current_tier, result.proposal.target_tier) == (current, target)


def test_a_typo_read_as_a_tier_is_noted() -> None:
    result = parse("Switch to premuim")
    assert result.proposal is not None
    assert "read 'premuim' as premium" in result.notes
