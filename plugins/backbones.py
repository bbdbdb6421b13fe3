"""Built-in backbones: the Keras tutorial's DCGAN-like pair and the paper's
MNIST pair (Chen et al. 2016, appendix C.1). Both are sized from the image
shape, whose height and width must be multiples of 4 (two stride-2 stages)."""

from __future__ import annotations

from einops.layers.torch import Rearrange
from torch import nn

from latentcodes.backbone import Backbone, ImageShape, init_normal
from latentcodes.errors import ConfigError


def _base(image_shape: ImageShape) -> tuple[int, int, int]:
    channels, height, width = image_shape
    if height % 4 or width % 4:
        raise ConfigError(
            f"image shape {tuple(image_shape)} is not allowed for this backbone; "
            "height and width must be multiples of 4"
        )
    return channels, height // 4, width // 4


def _lrelu() -> nn.Module:
    return nn.LeakyReLU(0.1)


def _same_conv(in_channels: int, out_channels: int) -> nn.Module:
    """A 4x4 stride-1 conv that keeps the size, padded as Keras' 'same' pads an
    even kernel (1 before, 2 after); torch's padding='same' would copy the input."""
    return nn.Sequential(nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(in_channels, out_channels, 4))


def tutorial_generator(input_dim: int, image_shape: ImageShape) -> nn.Module:
    # The tutorial puts each activation before its BatchNorm; kept as written.
    channels, h, w = _base(image_shape)
    return init_normal(
        nn.Sequential(
            nn.Linear(input_dim, 512 * h * w),
            nn.ReLU(),
            nn.BatchNorm1d(512 * h * w),
            Rearrange("n (c h w) -> n c h w", c=512, h=h, w=w),
            _same_conv(512, 128),
            nn.ReLU(),
            nn.BatchNorm2d(128),
            nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1),  # (n, 64, 2h, 2w)
            nn.ReLU(),
            nn.BatchNorm2d(64),
            nn.ConvTranspose2d(64, channels, 4, stride=2, padding=1),  # (n, c, 4h, 4w)
            nn.Tanh(),
        )
    )


def tutorial_trunk(image_shape: ImageShape) -> nn.Module:
    channels, _, _ = _base(image_shape)
    return init_normal(
        nn.Sequential(
            nn.Conv2d(channels, 64, 4, stride=2, padding=1),
            _lrelu(),
            nn.Conv2d(64, 128, 4, stride=2, padding=1),
            _lrelu(),
            nn.BatchNorm2d(128),
            _same_conv(128, 256),
            _lrelu(),
            nn.BatchNorm2d(256),
            nn.Flatten(),  # (n, 256 * h * w)
        )
    )


def paper_generator(input_dim: int, image_shape: ImageShape) -> nn.Module:
    channels, h, w = _base(image_shape)
    return init_normal(
        nn.Sequential(
            nn.Linear(input_dim, 1024),
            nn.BatchNorm1d(1024),
            nn.ReLU(),
            nn.Linear(1024, 128 * h * w),
            nn.BatchNorm1d(128 * h * w),
            nn.ReLU(),
            Rearrange("n (c h w) -> n c h w", c=128, h=h, w=w),
            nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.ConvTranspose2d(64, channels, 4, stride=2, padding=1),
            nn.Tanh(),
        )
    )


def paper_trunk(image_shape: ImageShape) -> nn.Module:
    channels, h, w = _base(image_shape)
    return init_normal(
        nn.Sequential(
            nn.Conv2d(channels, 64, 4, stride=2, padding=1),
            _lrelu(),
            nn.Conv2d(64, 128, 4, stride=2, padding=1),
            nn.BatchNorm2d(128),
            _lrelu(),
            nn.Flatten(),
            nn.Linear(128 * h * w, 1024),
            nn.BatchNorm1d(1024),
            _lrelu(),
        )
    )


tutorial = Backbone(
    description="Keras tutorial's DCGAN-like pair (about 52 GFLOP a step at batch 64)",
    generator=tutorial_generator,
    trunk=tutorial_trunk,
)

paper = Backbone(
    description="InfoGAN paper's MNIST pair (about 16 GFLOP a step at batch 64)",
    generator=paper_generator,
    trunk=paper_trunk,
)
