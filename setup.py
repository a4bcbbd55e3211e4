# nbdev's setup.py, without pkg_resources (gone from current setuptools).
from configparser import ConfigParser
import setuptools, shlex, tempfile

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o: cfg[o] for o in cfg_keys}

licenses = {'apache2': ('Apache-2.0', None), 'mit': ('MIT', None)}  # SPDX expressions (license classifiers are deprecated)
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()

requirements = shlex.split(cfg.get('requirements', ''))
if cfg.get('pip_requirements'): requirements += shlex.split(cfg.get('pip_requirements', ''))
min_python = cfg['min_python']
lic = licenses.get(cfg['license'].lower(), (cfg['license'], None))
dev_requirements = (cfg.get('dev_requirements') or '').split()
# the embedded default data: the real 22,889-event HiggsML subset (CC0) and its provenance
package_data = {cfg['lib_name']: ['py.typed', 'higgs/higgsml/*.csv.gz', 'higgs/higgsml/PROVENANCE.md']}

_scratch = tempfile.mkdtemp(prefix='hepnb-build-')

setuptools.setup(
    name=cfg['lib_name'],
    license=lic[0],
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title(),
                 'Topic :: Scientific/Engineering :: Physics'] +
                ['Programming Language :: Python :: ' + o for o in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data=True,
    package_data=package_data,
    install_requires=requirements,
    extras_require={'dev': dev_requirements,
                    # event generation (jets, X->tt): Pythia 8 binary wheels + FastJet
                    'physics': ['pythia8mc==8.317.2', 'fastjet', 'tables'],
                    'scale': ['ray[tune]'],
                    # ROOT files in and out (hepnb.data.root)
                    'root': shlex.split(cfg.get('root_requirements', '')),
                    # XGBoost members (hepnb.models.trees): xgboost-cpu on Linux, xgboost elsewhere
                    'trees': shlex.split(cfg.get('trees_requirements', '')),
                    # the course website (`make docs`)
                    'docs': shlex.split(cfg.get('docs_requirements', ''))},
    dependency_links=cfg.get('dep_links', '').split(),
    python_requires='>=' + cfg['min_python'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    # build in a scratch folder: `pip install .` writes nothing (no build/, no *.egg-info) into the checkout
    options={'build': {'build_base': _scratch}, 'egg_info': {'egg_base': _scratch}},
    entry_points={
        'console_scripts': cfg.get('console_scripts', '').split(),
        'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d'],
    },
    **setup_cfg)
