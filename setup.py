"""Build zhkh: map the top-level folders into the ``zhkh`` namespace and compile the kernel
(and the other ``*.pyx`` modules, e.g. the COPY text builder of ``modules/db``).

Setting ``ZHKH_REQUIRE_COMPILED=1`` turns a failed Cython build into an error instead of
an install without the compiled kernel.
"""

import os
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_ext import build_ext

FOLDERS = ("kernel", "modules", "adapters", "api", "rules")


def packages() -> tuple[list[str], dict[str, str]]:
    names: list[str] = []
    mapping: dict[str, str] = {}
    for folder in FOLDERS:
        root = f"zhkh.{folder}"
        mapping[root] = folder
        names.append(root)
        names.extend(f"{root}.{sub}" for sub in find_packages(folder))
    return names, mapping


def extensions():
    from Cython.Build import cythonize
    from setuptools import Extension

    return cythonize(
        [Extension("zhkh." + ".".join(p.with_suffix("").parts), [str(p)],
                   extra_compile_args=["-O3"])
         for folder in FOLDERS for p in sorted(Path(folder).rglob("*.pyx"))],
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False,
                             "cdivision": True, "initializedcheck": False},
    )


class StrictBuildExt(build_ext):
    """Compile the extensions on every core (each install compiled them one after another:
    ≈35 s of one core); refuse to install without the compiled kernel when
    ZHKH_REQUIRE_COMPILED=1."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:
            self.parallel = os.cpu_count() or 1

    def run(self):
        try:
            super().run()
        except Exception:
            if os.environ.get("ZHKH_REQUIRE_COMPILED") == "1":
                raise
            print("WARNING: zhkh kernel was not compiled; the Decimal twin will be used (slow)")


names, mapping = packages()
setup(
    packages=names,
    package_dir=mapping,
    # py.typed and the stubs (.pyi) of the compiled modules: type information ships (PEP 561)
    package_data={"zhkh.rules": ["**/*.yaml", "*.md"],
                  "zhkh.kernel": ["*.pyx", "*.pyi", "py.typed"],
                  "zhkh.modules": ["py.typed", "**/*.pyi"],
                  "zhkh.api": ["py.typed", "web/templates/**/*.html", "web/static/**/*",
                               "web/README.md"],
                  "zhkh.adapters": ["**/*.ini", "**/*.mako", "**/*.json", "**/*.yaml",
                                    "**/*.ttf", "print/fonts/*.txt", "print/fonts/*.md",
                                    "py.typed"]},
    include_package_data=True,
    ext_modules=extensions(),
    cmdclass={"build_ext": StrictBuildExt},
)
