"""Rooms register what the core runs for them (issue 14): the demo builders come from the rooms'
AppConfig.ready(), in dependency order, with their resets; no dotted-path table in the core."""

from __future__ import annotations

from django.test import override_settings

from xian_enforcement.org.demo import demo_builders


def test_every_room_registers_its_demo_builder_in_dependency_order():
    builders = demo_builders()
    assert [b.name for b in builders] == ["cases", "reviews", "tolerance", "stats"]
    # The per-room random stream is seeded from the builder's path, as before the registry.
    assert [b.path for b in builders] == [
        "cases.demo.build",
        "reviews.demo.build",
        "tolerance.demo.build",
        "stats.demo.build",
    ]
    assert all(b.reset is not None for b in builders)


@override_settings(DEMO_BUILDERS=["stats", "cases"])
def test_setting_selects_builders_but_keeps_their_order():
    assert [b.name for b in demo_builders()] == ["cases", "stats"]
