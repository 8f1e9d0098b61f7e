"""Package layout, beside pyproject.toml (which holds everything else).

`resources/` stays at the top of the repository but is installed inside the package as
`evidence_desk/resources`, so an installed wheel carries the rules, fonts, statements, guidance and
translations; `evidence_desk.paths` finds them there or, in a source checkout, at the top. Every
file below `resources/` and below the Alembic migrations goes in, so a new folder of resources
needs no change here.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["evidence_desk", "evidence_desk.*"]),
              "evidence_desk.resources"],
    package_dir={"evidence_desk.resources": "resources"},
    package_data={
        "evidence_desk": ["py.typed"],
        "evidence_desk.resources": ["**/*"],
        "evidence_desk.library.migrations": ["script.py.mako", "versions/*.py"],
    },
    # Exactly the files above: setuptools would otherwise take every file the sdist lists and
    # warn about each resources folder as if it were a package.
    include_package_data=False,
    exclude_package_data={"": ["__pycache__/*", "*.pyc", "**/__pycache__/*", "**/*.pyc"]},
)
