"""Built-in recipes: named configurations assembled from the other plugins."""

from __future__ import annotations

from latentcodes.config import Recipe, RunConfig

# The tutorial's model (backbone, codes, noise, batch, D's learning rate) with
# the training settings that measured best on it (docs/results.md): D on full
# batches, G at 1e-3 and the MI loss training the trunk too. The tutorial's
# own settings (half batches for D, G at 2e-4, trunk frozen for the MI loss)
# reached 0.30 accuracy after one epoch and are kept as `mnist-infogan-tutorial`.
_TUTORIAL = RunConfig(
    dataset="mnist",
    backbone="tutorial",
    codes=["Categorical(10)"],
    noise_dim=62,
    noise="normal",
    batch_size=64,
    d_batch="full",
    lr_d=2e-4,
    lr_g=1e-3,
    mi_trunk=True,
    steps=5000,
)

mnist_infogan = Recipe(
    description="the Keras tutorial's InfoGAN model on MNIST (62 noise + Categorical(10)), "
    "with measured training settings",
    config=_TUTORIAL,
)

mnist_infogan_tutorial = Recipe(
    description="the Keras tutorial's InfoGAN exactly as it trains: D on half batches, "
    "G at 2e-4, MI loss does not train the trunk",
    config=_TUTORIAL.updated(d_batch="half", lr_g=2e-4, mi_trunk=False),
)

fashion_mnist_infogan = Recipe(
    description="the same parts as mnist-infogan, on Fashion-MNIST",
    config=_TUTORIAL.updated(dataset="fashion-mnist"),
)

# The paper's MNIST model and settings (Chen et al. 2016, appendix C.1); its
# D and G learning rates, full D batches and trunk-training MI loss are the
# ones mnist-infogan now shares.
mnist_infogan_paper = Recipe(
    description="the InfoGAN paper's MNIST settings: paper backbone, uniform noise, "
    "Categorical(10) + Uniform(2), D lr 2e-4, G lr 1e-3, MI loss trains the trunk",
    config=_TUTORIAL.updated(
        backbone="paper", noise="uniform", codes=["Categorical(10)", "Uniform(2)"]
    ),
)
