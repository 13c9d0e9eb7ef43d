import pytest

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Membership, Rule
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.moderation import actions as moderation


@pytest.fixture
def ann(db):
    """Leads hearth: moderator A."""
    return MemberFactory(handle="ann", display_name="Ann Lead")


@pytest.fixture
def ben(db):
    """Moderator B."""
    return MemberFactory(handle="ben", display_name="Ben Moderator")


@pytest.fixture
def mel(db):
    """The member who is reported and banned."""
    return MemberFactory(handle="mel", display_name="Mel Member")


@pytest.fixture
def rita(db):
    """Reports mel."""
    return MemberFactory(handle="rita", display_name="Rita Reporter")


@pytest.fixture
def staff(db):
    return MemberFactory(handle="sam", display_name="Sam Staff", is_staff=True)


@pytest.fixture
def hearth(ann, ben, mel, rita):
    """ann leads, ben moderates; mel and rita are members; one numbered rule."""
    community = CommunityFactory(slug="hearth", name="Hearth", created_by=ann)
    MembershipFactory(community=community, member=ben, role=Membership.Role.MODERATOR)
    MembershipFactory(community=community, member=mel)
    MembershipFactory(community=community, member=rita)
    Rule.objects.create(community=community, number=1, text="Be kind.")
    return community


def add_moderator(community, handle):
    member = MemberFactory(handle=handle, display_name=handle.title())
    MembershipFactory(
        community=community, member=member, role=Membership.Role.MODERATOR
    )
    return member


def ban(community, *, subject, reporter, proposer, confirmer):
    """A report about SUBJECT, a ban PROPOSER proposes and CONFIRMER confirms: in force."""
    report = moderation.file_report(
        subject, by=reporter, community=community, rule_number=1, reason="Rude."
    )
    action = moderation.propose_action(
        report.case,
        by=proposer,
        kind="ban",
        rule_number=1,
        reason="Insults in three conversations.",
    )
    return moderation.confirm_action(action, by=confirmer)


@pytest.fixture
def banned(hearth, ann, ben, mel, rita):
    """mel's ban in hearth: ann proposed it, ben confirmed it."""
    return ban(hearth, subject=mel, reporter=rita, proposer=ann, confirmer=ben)
