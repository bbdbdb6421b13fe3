"""latentcodes' built-in plugins: backbones, datasets and recipes.

They are installed as the package ``latentcodes_plugins`` and reach the core
only through the entry points declared in ``pyproject.toml``, exactly as a
third-party plugin would.
"""
