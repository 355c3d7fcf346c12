"""The top floor: commands that reach across the apps (the demo shop, the state-machine
docs). Nothing imports ops; ops may import any app. See tests/test_layering.py."""
