"""Built-in recipes: named configurations assembled from the other plugins."""

from __future__ import annotations

from latentcodes.config import Recipe, RunConfig

_TUTORIAL = RunConfig(
    dataset="mnist",
    backbone="tutorial",
    codes=["Categorical(10)"],
    noise_dim=62,
    noise="normal",
    batch_size=64,
    d_batch="half",
    lr_d=2e-4,
    lr_g=2e-4,
    mi_trunk=False,
    steps=5000,
)

mnist_infogan = Recipe(
    description="the Keras tutorial's InfoGAN on MNIST: 62 noise + Categorical(10)",
    config=_TUTORIAL,
)

fashion_mnist_infogan = Recipe(
    description="the same parts as mnist-infogan, on Fashion-MNIST",
    config=_TUTORIAL.updated(dataset="fashion-mnist"),
)

mnist_infogan_paper = Recipe(
    description="the InfoGAN paper's MNIST settings: paper backbone, Categorical(10) + "
    "Uniform(2), D lr 2e-4, G lr 1e-3, MI loss trains the trunk",
    config=RunConfig(
        dataset="mnist",
        backbone="paper",
        codes=["Categorical(10)", "Uniform(2)"],
        noise_dim=62,
        noise="uniform",
        batch_size=64,
        d_batch="full",
        lr_d=2e-4,
        lr_g=1e-3,
        mi_trunk=True,
        steps=5000,
    ),
)
