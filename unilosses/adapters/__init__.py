"""Framework adapters: a unilosses loss as a framework's loss object.

``unilosses.torch.Loss`` is a ``torch.nn.Module``; ``unilosses.keras.Loss`` is a
``keras.losses.Loss``. Each lives in its own module, which imports its framework; importing
``unilosses`` (or this package) imports neither.
"""
