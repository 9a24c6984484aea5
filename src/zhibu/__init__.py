"""zhibu (支部): a party branch's records as YAML files in git, checked against the standard.

The library is the product; the ``zhibu`` command is a thin layer over it:

* :func:`zhibu.format.load.load_branch` reads a branch repository into the model
  (:mod:`zhibu.model`) and reports ``format.*`` findings;
* :mod:`zhibu.write.edit` builds changes and :func:`zhibu.write.change.apply` validates,
  writes and commits them.
"""

__version__ = "0.1.0"
