"""latentcodes: InfoGAN training with pluggable latent codes.

Example:
    >>> from latentcodes import InfoGAN, Categorical, Uniform
    >>> gan = InfoGAN(codes=[Categorical(10), Uniform(2)])
    >>> gan.space.input_dim
    74
"""

from latentcodes.codes import Categorical, LatentCode
from latentcodes.continuous import ContinuousCode, Gaussian, Uniform
from latentcodes.config import Recipe, RunConfig
from latentcodes.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    LatentCodesError,
    PluginError,
    TrainingError,
)
from latentcodes.latent_space import LatentSpace
from latentcodes.model import InfoGAN
from latentcodes.registries import BACKBONES, CODE_TYPES, DATASETS, RECIPES

__version__ = "0.1.0"

__all__ = [
    "InfoGAN",
    "LatentCode",
    "ContinuousCode",
    "Categorical",
    "Uniform",
    "Gaussian",
    "LatentSpace",
    "RunConfig",
    "Recipe",
    "CODE_TYPES",
    "BACKBONES",
    "DATASETS",
    "RECIPES",
    "LatentCodesError",
    "ConfigError",
    "PluginError",
    "DataError",
    "CheckpointError",
    "TrainingError",
]
