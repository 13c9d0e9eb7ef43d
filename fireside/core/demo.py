"""What the demo instance of `make run` contains. Words only; the load_demo command puts them
in place through the apps' own actions."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoMember:
    handle: str
    display_name: str
    bio: str
    interests: list[str]


@dataclass(frozen=True)
class DemoPost:
    author: str
    title: str
    body: str
    hours_ago: int
    topics: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoCommunity:
    slug: str
    name: str
    description: str
    topics: list[str]
    visibility: str
    lead: str
    members: list[str]
    rules: list[str]
    posts: list[DemoPost]


MEMBERS = [
    DemoMember(
        "ada",
        "Ada Okafor",
        "Amateur astronomer and retired maths teacher. I like slow questions and long "
        "answers. Ask me about **variable stars** or how to start observing from a city "
        "balcony.",
        ["astronomy", "mathematics", "teaching"],
    ),
    DemoMember(
        "grace",
        "Grace Lindqvist",
        "Beekeeper on a small island. Half my hives survived last winter; the other half "
        "taught me more. I write about it at length.",
        ["beekeeping", "gardening", "island-life"],
    ),
    DemoMember(
        "linus",
        "Linus Mbeki",
        "Bicycle mechanic. Fixes things, breaks fewer. Happy to talk gears, frames and why "
        "your chain skips.",
        ["cycling", "repair", "urban-planning"],
    ),
    DemoMember(
        "noor",
        "Noor Haddad",
        "Reads slowly on purpose. Nurse on night shifts, so I am awake when you are not.",
        ["reading", "nursing", "astronomy"],
    ),
]

COMMUNITIES = [
    DemoCommunity(
        slug="city-skies",
        name="City Skies",
        description="Observing the night sky from towns and cities: light pollution, "
        "small telescopes, binoculars, variable stars and what you can still see from a "
        "balcony.",
        topics=["astronomy", "light-pollution", "telescopes"],
        visibility="open",
        lead="ada",
        members=["noor", "linus"],
        rules=[
            "Be kind to beginners: every question about the sky is a good question.",
            "Share where you observe from only if you want to; never ask others to.",
            "Photos are welcome as links; say which equipment you used.",
        ],
        posts=[
            DemoPost(
                "ada",
                "What can you really see from a city centre?",
                "I live two kilometres from a football stadium with floodlights. Even so, "
                "last night I followed **Algol** dimming over three hours with nothing but "
                "binoculars.\n\nWhat is the faintest thing you have seen from a bright city? "
                "I would love to compare notes one to one.",
                30,
                ["variable-stars"],
            ),
            DemoPost(
                "noor",
                "Night shifts and the Moon",
                "Walking to the hospital at 5 a.m. I get the waning Moon most months. "
                "Is there a simple way to learn the craters near the terminator?",
                8,
            ),
            DemoPost(
                "linus",
                "Building a dew shield from a bicycle mudguard",
                "A cheap trick that worked for my 80 mm refractor: a cut-down plastic "
                "mudguard, some felt, two zip ties. Happy to explain the measurements.",
                2,
                ["diy"],
            ),
        ],
    ),
    DemoCommunity(
        slug="small-hives",
        name="Small Hives",
        description="Beekeeping with one to ten hives: seasons, swarms, varroa, and honest "
        "stories of colonies that did not make it.",
        topics=["beekeeping", "gardening"],
        visibility="open",
        lead="grace",
        members=["ada"],
        rules=[
            "No selling of bees, queens or equipment.",
            "Say which climate you keep bees in when you ask for advice.",
        ],
        posts=[
            DemoPost(
                "grace",
                "Why half my colonies died this winter",
                "I think it was late varroa treatment combined with a wet autumn. Here is "
                "what I changed for next year:\n\n- treat in August, not September\n"
                "- check stores in October\n- fewer inspections in cold weeks\n\n"
                "If you lost colonies too, I would like to hear how it went for you.",
                50,
                ["varroa", "wintering"],
            ),
            DemoPost(
                "ada",
                "A beginner's question about swarm cells",
                "Found four queen cells on the bottom of a frame. Split now, or wait?",
                5,
                ["swarms"],
            ),
        ],
    ),
    DemoCommunity(
        slug="fix-it-cycles",
        name="Fix-it Cycles",
        description="Repairing and maintaining bicycles yourself: gears, brakes, wheels, "
        "frames, and the tools worth buying.",
        topics=["cycling", "repair"],
        visibility="open",
        lead="linus",
        members=["grace"],
        rules=["Describe the bicycle and the symptom before asking what is wrong."],
        posts=[
            DemoPost(
                "linus",
                "Why your chain skips under load",
                "Nine times out of ten: a worn chain on worn cassette teeth. Measure the "
                "chain with a ruler: 12 links should be 304.8 mm. More than 306 mm and it is "
                "time for both.",
                20,
                ["drivetrain"],
            ),
            DemoPost(
                "grace",
                "Salt air and brake cables",
                "On the island everything rusts. Stainless cables? Grease? Wax? What has "
                "lasted for you?",
                3,
            ),
        ],
    ),
    DemoCommunity(
        slug="slow-reading",
        name="Slow Reading",
        description="A small club for reading one long book a season, a chapter a week, "
        "and talking about it one to one.",
        topics=["reading", "literature"],
        visibility="request",
        lead="noor",
        members=["ada"],
        rules=[
            "No spoilers beyond this week's chapter.",
            "Disagree with the book, not with each other.",
        ],
        posts=[
            DemoPost(
                "noor",
                "This season: Middlemarch, chapters 1–3",
                "Dorothea's first choices already tell us a lot. What did you make of her "
                "plans for the cottages?",
                12,
                ["middlemarch"],
            ),
        ],
    ),
]


@dataclass(frozen=True)
class DemoConversation:
    initiator: str
    recipient: str
    about: str  # the title of the post it starts from
    messages: list[str]  # alternating, starting with the initiator; one = a request
    accepted: bool = True


CONVERSATIONS = [
    DemoConversation(
        "ada",
        "grace",
        "Why half my colonies died this winter",
        [
            "Your post about the wet autumn made me think of my first year. Did you "
            "see the varroa counts climb before it turned cold?",
            "Yes, in late August. I treated three weeks too late, I think.",
            "That matches what happened to me. Would you write down your new "
            "calendar? I would try it next season.",
        ],
    ),
    DemoConversation(
        "linus",
        "ada",
        "What can you really see from a city centre?",
        [
            "I can see Jupiter from my workshop roof, but nothing faint. What "
            "binoculars did you use for Algol?",
        ],
        accepted=False,
    ),
]
