"""Builds greengate._profiler with the repository's CMake build (client/python/CMakeLists.txt):
the extension is compiled from the same sources as the CLI's profiler, so its profiles are the
CLI's. Offline: everything comes from Debian packages (deploy/install-deps.sh).

The build tree is $GREENGATE_BUILD_DIR if set (CI points it at the tree ctest runs from),
else <repository>/build, configured on first use.
"""

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TARGET = "greengate_python_profiler"


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        if not (ROOT / "CMakeLists.txt").exists():
            sys.exit(f"greengate: {ROOT} is not the greengate source tree; install from a "
                     "checkout (pip install --no-build-isolation client/python)")
        build_dir = Path(os.environ.get("GREENGATE_BUILD_DIR", ROOT / "build")).resolve()
        if not (build_dir / "build.ninja").exists() and not (build_dir / "Makefile").exists():
            subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
                            "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                            f"-DPython_EXECUTABLE={sys.executable}"], check=True)
        jobs = os.environ.get("GREENGATE_BUILD_JOBS", "2")
        subprocess.run(["cmake", "--build", str(build_dir), "-j", jobs, "--target", TARGET],
                       check=True)
        built = glob.glob(str(build_dir / "client" / "python" / "_profiler*.so"))
        if len(built) != 1:
            sys.exit(f"greengate: expected one _profiler module in {build_dir}, found {built}")
        destination = Path(self.get_ext_fullpath(ext.name))
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], destination)


setup(ext_modules=[Extension("greengate._profiler", sources=[])],
      cmdclass={"build_ext": CMakeBuild})
