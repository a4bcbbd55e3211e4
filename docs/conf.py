# Sphinx configuration of the hepnb course website. Not run directly: `python docs/build.py` (or `make docs`) stages
# the notebooks of nbs/ into _proc/site (library notebooks with their API reference rendered by nbdev's show_doc,
# course chapters with their stored outputs) and runs sphinx-build with this folder as its configuration directory.
import configparser
from pathlib import Path

_cfg = configparser.ConfigParser(delimiters=['='])
_cfg.read(Path(__file__).resolve().parents[1] / 'settings.ini', encoding='utf-8')
_ini = _cfg['DEFAULT']

project = _ini['title']
author = _ini['author']
copyright = _ini['copyright']
version = release = _ini['version']

extensions = ['myst_nb']            # myst_nb brings myst_parser and Sphinx's mathjax extension along
exclude_patterns = ['_build', '**.ipynb_checkpoints']
suppress_warnings = ['myst.header']  # show_doc headings are level 3 under a level-1 page title, as in nbdev's sites

# notebooks are never executed here: chapters keep their stored outputs, library notebooks are committed without
# outputs and get their API reference from build.py
nb_execution_mode = 'off'
nb_render_markdown_format = 'myst'
nb_ipywidgets_js = {}               # no widget JavaScript from a CDN; widget outputs fall back to their static mime types
nb_mime_priority_overrides = [('html', 'application/vnd.jupyter.widget-view+json', None),
                              ('html', 'application/vnd.jupyter.widget-state+json', None)]
nb_merge_streams = True
myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence', 'attrs_inline', 'attrs_block', 'strikethrough']
myst_dmath_double_inline = True
myst_heading_anchors = 3

# MathJax 3 is served from the site itself (build.py copies it from the django-static-mathjax wheel): no CDN
mathjax_path = 'mathjax/tex-mml-chtml.js'
mathjax3_config = {'tex': {'inlineMath': [['\\(', '\\)']], 'displayMath': [['\\[', '\\]']]}}

html_theme = 'sphinx_book_theme'
html_title = 'hepnb'
html_static_path = ['_static']
html_css_files = ['hepnb.css']
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_context = {'default_mode': 'auto'}  # light/dark follows the reader's system (unset, the theme logs an error)
html_theme_options = {
    'repository_url': _ini['git_url'],
    'repository_branch': _ini['branch'],
    'path_to_docs': 'nbs',
    'use_repository_button': True,
    'use_download_button': False,
    'use_fullscreen_button': False,
    'home_page_in_toc': True,
    'show_toc_level': 2,
    'navigation_with_keys': False,
    'extra_footer': 'Built from the notebooks in <code>nbs/</code>; chapters show their stored outputs.',
}
