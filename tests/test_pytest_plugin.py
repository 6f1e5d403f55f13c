from __future__ import annotations

import pytest


def test_fixtures_give_a_ready_kit(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from invitekit import Status

        def test_invite(invitekit_kit, invitekit_mailer, invitekit_clock):
            ana = invitekit_kit.add_customer("ana@example.com", invite=True)
            invitekit_kit.deliver()
            assert invitekit_kit.get_customer(ana.id).status is Status.INVITED
            assert invitekit_mailer.outbox[0].to == "ana@example.com"
            before = invitekit_clock.now()
            invitekit_clock.advance(hours=1)
            assert (invitekit_clock.now() - before).total_seconds() == 3600
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_overriding_the_business_fixture_changes_the_kit(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        from invitekit import Business

        @pytest.fixture
        def invitekit_business():
            return Business(
                id="club",
                name="Tennis Club",
                sender="info@club.example",
                activation_url="https://club.example/activate/{token}",
                unsubscribe_url="https://club.example/unsubscribe/{token}",
            )
        """
    )
    pytester.makepyfile(
        """
        def test_business(invitekit_kit):
            assert invitekit_kit.business.name == "Tennis Club"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
