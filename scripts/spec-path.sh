# Sourced by the scripts that run tests or benchmarks: NLPP_SPEC_PATH, unless
# set, is the upstream kernel specs beside the project (../shared/specs/kernel,
# as CI has it), else those scripts/kernel-specs.sh installs from Debian's
# linux-source. Both are test data, never copied into the project.
if [[ -z ${NLPP_SPEC_PATH:-} ]]; then
  _nlpp_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [[ -d $_nlpp_root/../shared/specs/kernel ]]; then
    NLPP_SPEC_PATH=$(cd "$_nlpp_root/../shared/specs/kernel" && pwd)
  else
    NLPP_SPEC_PATH=/usr/local/share/ynl/specs
  fi
  unset _nlpp_root
fi
export NLPP_SPEC_PATH
