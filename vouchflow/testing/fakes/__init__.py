"""Local fake servers speaking real provider wire formats, driven by the real SDKs.

    with FakeOpenAI.start() as fake:
        fake.script(Reply.json({...}), Reply.error(429, headers={"retry-after": "7"}))
        ... point OPENAI_BASE_URL at fake.base_url, OPENAI_API_KEY at fake.api_key ...
        fake.requests  # what the SDK actually sent

Each fake checks auth headers, required fields and schema strictness the way the
real service does, and answers from its script in order (an empty script answers
500 "nothing scripted" so a test that calls too often fails loudly).
"""

from vouchflow.testing.fakes.fake_anthropic import FakeAnthropic
from vouchflow.testing.fakes.fake_openai import FakeOpenAI, RecordedRequest, Reply, ScriptedCall

__all__ = ["FakeAnthropic", "FakeOpenAI", "RecordedRequest", "Reply", "ScriptedCall"]
