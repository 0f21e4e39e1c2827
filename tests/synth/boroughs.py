"""The sizes of synthetic borough the tests use."""

from joinedup.synth.config import SynthConfig

SMALL = SynthConfig(scale=0.08, seed=7)
# Large enough for rates and gradients to be measured within a few per cent.
MEDIUM = SynthConfig(scale=0.5, seed=11)
