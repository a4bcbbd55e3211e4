# hepnb.train needs fastai, which hepnb installs without its dependencies (its vision and text parts would pull in
# torchvision and spacy); say how when it is missing instead of a bare ModuleNotFoundError deep inside an import.
try: import fastai as _fastai
except ModuleNotFoundError as _e:
    if _e.name != 'fastai': raise
    raise ModuleNotFoundError("hepnb's training code needs fastai 2.8.7, installed without its dependencies: "
                              "pip install --no-deps fastai==2.8.7  (README: 'Use hepnb in your own project')",
                              name='fastai') from None
