# Doctests run over unilosses/; the framework shims import their framework, so they are not
# collected (they hold no examples) and sessions without that framework still collect.
collect_ignore = ["unilosses/backends", "unilosses/_frameworks.py", "noxfile.py", "benchmarks", "docs"]
