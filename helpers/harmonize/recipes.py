"""The harmonizer's recipes: what each lever of notebook 09's ablation changes, and the trained networks behind them
(notebooks 09 and 10; ``python -m helpers train-harmonizer`` trains and saves them, the notebooks load them).

A :class:`Recipe` names a network (its encoding and training settings), how many seeds are averaged (an ensemble)
and how the probabilities are decoded. The networks the notebooks load ship with the course
(:mod:`helpers.harmonize.shipped`); others are trained on demand and saved under ``models_dir()/recipes`` with the
settings and training code they were trained with, so that a changed recipe is retrained instead of silently
reused.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..chorales import Chorale, course_split, grouped_split, load_chorales
from ..paths import models_dir
from .decoding import DEFAULT_VOICE_LEADING, VoiceLeading
from .encoding import fit_encoding
from .model import Harmonizer
from .shipped import final_figures, load_shipped, network_settings, shipped_entry, training_code_hash
from .training import DEFAULT_TRAINING, VALIDATION_FRACTION, VALIDATION_SEED, train_harmonizer

#: Semitones a training piece may move when the recipe trains on transpositions (those that keep every voice in
#: range are used; see :func:`helpers.harmonize.encoding.in_range_transpositions`).
TRANSPOSITIONS = tuple(range(-6, 6))
#: Seeds of the networks every recipe trains (an ensemble averages them; single networks are reported per seed).
SEEDS = (0, 1, 2)
ATB = ("Alto", "Tenor", "Bass")
#: Decoding of the alto alone with the hard constraints: nothing above the melody, and a note may start only on
#: a half beat or with a melody note (:func:`helpers.harmonize.decoding.chord_starts`, ``hold="half"``).
ALTO_CONSTRAINED = VoiceLeading(parallel=0.0, crossing=0.0, candidates=40, hold="half", order=True)


@dataclass(frozen=True)
class Network:
    """How one network is trained: output voices, phrase features, transpositions instead of key normalisation,
    epochs (on the transposed data fewer epochs give about as many updates), and which tunes it learns from
    (``"train"``: the training side of the course split; ``"fit"``: that minus notebook 10's validation tunes).

    Notebook: 09_harmonization
    """

    outputs: tuple[str, ...] = ("Alto",)
    phrases: bool = False
    transpose: bool = False
    epochs: int = DEFAULT_TRAINING["epochs"]
    units: int = DEFAULT_TRAINING["units"]
    tunes: str = "train"

    @property
    def key(self) -> str:
        """A file name for the network's settings."""
        parts = ["-".join(v.lower() for v in self.outputs), "phrases" if self.phrases else "plain",
                 "transposed" if self.transpose else "normalised", f"e{self.epochs}", f"u{self.units}", self.tunes]
        return "_".join(parts)


@dataclass(frozen=True)
class Recipe:
    """A network, the number of seeds averaged (``members``: 1 for a single network) and the decoding
    (``None``: each voice's most likely class per step).

    Notebook: 09_harmonization
    """

    name: str
    network: Network = field(default_factory=Network)
    members: int = 1
    decoding: VoiceLeading | None = None


#: Notebook 09's ablation: today's recipe, each lever alone, and the combination the ``harmonize`` command uses.
ALTO_RECIPES = {
    "today": Recipe("today"),
    "phrase endings": Recipe("phrase endings", Network(phrases=True)),
    "transpositions": Recipe("transpositions", Network(transpose=True, epochs=2)),
    "ensemble of 3": Recipe("ensemble of 3", members=3),
    "alto of a joint A/T/B network": Recipe("alto of a joint A/T/B network", Network(outputs=ATB)),
    "constrained decoding": Recipe("constrained decoding", decoding=ALTO_CONSTRAINED),
    "combination": Recipe("combination", Network(phrases=True), members=3, decoding=ALTO_CONSTRAINED),
}
#: Notebook 10: the joint A/T/B network as it was (decoded with notebook 10's penalties), each lever alone, and the
#: combination. "All training tunes": the validation tunes join the fit tunes once the penalties are chosen.
_SATB_NETWORK = Network(outputs=ATB, tunes="fit")
#: Four-part decoding with the hard rules: notebook 10's penalties, the voice order as a hard rule, a chord per beat
#: (``hold="beat"``: a finer grid would let the search dodge the parallel rule from beat to beat) and passing and
#: neighbour notes on the half beat where the network prefers them and they break no rule.
SATB_CONSTRAINED = replace(DEFAULT_VOICE_LEADING, order=True, passing=True)
#: The hard rules plus the style rules of issue 19, every weight chosen on notebook 10's validation tunes by
#: ``bench/style.py`` (its table: ``make bench`` writes ``build/style.md``): a pitch held into the next chord is
#: struck again only when the network is at least 90% sure of an onset (never in the bass, which Bach almost never
#: repeats); a half-beat note moves by step only (1 or 2 semitones), and one that fills a third between two chord
#: notes gets 5 nats of credit; the bass's melodic intervals from beat to beat are scored by the melodic model of
#: :mod:`helpers.harmonize.lines` (weight 1.5); parallel fifths and octaves cost 6 nats instead of 3 (beside the
#: style penalties, 3 no longer kept them near Bach's rate); and each chord without a third, each doubled leading
#: tone (5 nats), each chord whose lower voices make a dissonance the melody does not explain (3), each seventh that
#: does not step down (6) and an opening chord without the tonic in the bass (10) is penalised; at each phrase ending
#: a chord that closes the phrase as Bach's cadences do (:func:`helpers.voiceleading.cadence_fits`), reached from its
#: own dominant on any degree but the key's V, gets 6 nats of credit (a close on V none: with credit for half
#: cadences the validation tunes' settings closed on V more often than Bach's, and modulated less), and a tenor that
#: moves by step from one chord to the next (``middle_steps``) 0.5 nats. What they change: notebook 10, §6.
SATB_STYLE = replace(SATB_CONSTRAINED, parallel=6.0, restrike=0.9, bass_restrike=1.0, passing_bonus=5.0,
                     passing_steps=True, bass_melodic=1.5, chord_faults=5.0, sevenths=6.0, opening=10.0, dissonance=3.0,
                     cadence=6.0, middle_steps=0.5, half_cadence=0.0)
SATB_RECIPES = {
    "today": Recipe("today", _SATB_NETWORK, decoding=DEFAULT_VOICE_LEADING),
    "phrase endings": Recipe("phrase endings", replace(_SATB_NETWORK, phrases=True), decoding=DEFAULT_VOICE_LEADING),
    "all training tunes": Recipe("all training tunes", replace(_SATB_NETWORK, tunes="train"),
                                 decoding=DEFAULT_VOICE_LEADING),
    "ensemble of 3": Recipe("ensemble of 3", _SATB_NETWORK, members=3, decoding=DEFAULT_VOICE_LEADING),
    "constrained decoding": Recipe("constrained decoding", _SATB_NETWORK, decoding=SATB_CONSTRAINED),
    "style rules": Recipe("style rules", _SATB_NETWORK, decoding=SATB_STYLE),
    "combination": Recipe("combination", Network(outputs=ATB, phrases=True, tunes="train"), members=3,
                          decoding=SATB_STYLE),
}
#: What ``python -m helpers harmonize`` uses for each set of voices.
BEST = {("Alto",): ALTO_RECIPES["combination"], ATB: SATB_RECIPES["combination"]}


def recipe_dir() -> Path:
    """``models_dir()/recipes``: where networks trained on this machine are saved (the shipped ones live in
    :data:`helpers.harmonize.shipped.SHIPPED_DIR`).

    Notebook: 09_harmonization
    """
    return models_dir() / "recipes"


def network_path(network: Network, seed: int) -> Path:
    """Where the network of these settings and this seed is saved when trained on this machine.

    Notebook: 09_harmonization
    """
    return recipe_dir() / f"{network.key}_seed{seed}.keras"


def tunes_of(network: Network, chorales: Sequence[Chorale] | None = None) -> list[Chorale]:
    """The chorales a network learns from: the training side of :func:`~helpers.chorales.course_split` (of all
    chorales by default), minus notebook 10's validation tunes if ``network.tunes == "fit"``.

    Notebook: 09_harmonization
    """
    train, _ = course_split(chorales if chorales is not None else load_chorales())
    if network.tunes == "fit":
        train, _ = grouped_split(train, VALIDATION_FRACTION, seed=VALIDATION_SEED)
    return list(train)


def train_network(network: Network, seed: int, chorales: Sequence[Chorale] | None = None,
                  return_history: bool = False, verbose: int = 0):
    """Train one network of ``network``'s settings with ``seed``; return it (decoded per step) and the seconds
    (and Keras's history dictionary with ``return_history``; ``verbose=2``: a line per epoch).

    Notebook: 09_harmonization
    """
    import keras

    train = tunes_of(network, chorales)
    keras.utils.set_random_seed(seed)
    t0 = time.time()
    all_train = tunes_of(replace(network, tunes="train"), chorales)  # ranges from all training tunes, as before
    enc = fit_encoding(all_train, outputs=network.outputs, phrases=network.phrases, normalised=not network.transpose)
    settings = DEFAULT_TRAINING | {"units": network.units, "epochs": network.epochs}
    harmonizer, history = train_harmonizer(train, enc, transpositions=TRANSPOSITIONS if network.transpose else (0,),
                                           verbose=verbose, **settings)
    seconds = time.time() - t0
    return (harmonizer, seconds, history) if return_history else (harmonizer, seconds)


def ensure_network(network: Network, seed: int, chorales: Sequence[Chorale] | None = None,
                   train_if_missing: bool = True, shipped: bool = True) -> tuple[Harmonizer, float, bool]:
    """The network of these settings and seed, its training seconds and whether it was trained just now.

    In this order: the one trained on this machine (:func:`network_path`, if saved with the same settings and
    training code), the one shipped with the course (:mod:`helpers.harmonize.shipped`, unless ``shipped`` is
    false), else one trained now and saved (FileNotFoundError instead if not ``train_if_missing``).

    Notebook: 09_harmonization
    """
    path = network_path(network, seed)
    saved = _saved_here(network, seed)
    if saved is not None:
        return Harmonizer.load(path), float(saved["seconds"]), False
    entry = shipped_entry(network, seed) if shipped else None
    if entry is not None:
        return load_shipped(entry), float(entry["seconds"]), False
    if not train_if_missing:
        raise FileNotFoundError(f"no saved network at {path}; make it with: python -m helpers train-harmonizer")
    harmonizer, seconds, history = train_network(network, seed, chorales, return_history=True, verbose=2)
    harmonizer.save(path)
    path.with_name(path.stem + ".recipe.json").write_text(json.dumps(
        {"settings": _settings_here(network, seed), "seconds": seconds, "figures": final_figures(history)}))
    return harmonizer, seconds, True


def _settings_here(network: Network, seed: int) -> dict:
    """What a network trained on this machine is saved with: its settings, seed and the training code's hash."""
    return network_settings(network, seed) | {"code": training_code_hash()}


def _saved_here(network: Network, seed: int) -> dict | None:
    """The saved record (settings, seconds, figures) of the network trained on this machine with these settings
    and today's training code, or None when there is none."""
    path = network_path(network, seed)
    meta = path.with_name(path.stem + ".recipe.json")
    if not (path.exists() and meta.exists()):
        return None
    saved = json.loads(meta.read_text())
    return saved if saved.get("settings") == _settings_here(network, seed) else None


def training_figures(network: Network, seed: int) -> dict[str, float] | None:
    """Keras's figures of the last training epoch of the network :func:`ensure_network` would load (trained on this
    machine, else shipped), or None when neither is there.

    Notebook: 09_harmonization
    """
    saved = _saved_here(network, seed)
    if saved is not None:
        return saved.get("figures")
    entry = shipped_entry(network, seed)
    return entry["figures"] if entry is not None else None


def load_network(network: Network, seed: int, chorales: Sequence[Chorale] | None = None,
                 train_if_missing: bool = True) -> tuple[Harmonizer, float]:
    """:func:`ensure_network` without the flag: the network and its training seconds.

    Notebook: 09_harmonization
    """
    harmonizer, seconds, _ = ensure_network(network, seed, chorales, train_if_missing)
    return harmonizer, seconds


def load_recipe(recipe: Recipe, seed: int = 0, chorales: Sequence[Chorale] | None = None,
                train_if_missing: bool = True) -> tuple[Harmonizer, float]:
    """The harmonizer of a recipe: its network with ``seed`` (an ensemble: seeds ``seed``, ``seed + 1``, …),
    decoded as the recipe says; and the training seconds of all its networks.

    Notebook: 09_harmonization
    """
    loaded = [load_network(recipe.network, seed + i, chorales, train_if_missing) for i in range(recipe.members)]
    harmonizer = Harmonizer.ensemble([h for h, _ in loaded]).with_voice_leading(recipe.decoding)
    return harmonizer, sum(s for _, s in loaded)


def default_harmonizer(outputs: Sequence[str] = ("Alto",), seed: int = 0) -> Harmonizer:
    """The harmonizer ``python -m helpers harmonize`` uses, saved to :meth:`Harmonizer.default_path` as notebooks 09
    and 10 save it: the best recipe of notebook 09's ablation for the alto, or of notebook 10's for alto, tenor and
    bass (:data:`BEST`: phrase endings, an ensemble of three seeds from ``seed``, constrained decoding), from the
    shipped networks (networks trained here with :func:`ensure_network` come first; missing ones are trained).

    Notebook: 11_harmonize_your_melody
    """
    harmonizer, _ = load_recipe(BEST[tuple(outputs)], seed)
    harmonizer.save()
    return harmonizer


def networks_needed(recipes: Iterable[Recipe], seeds: Sequence[int] = SEEDS) -> list[tuple[Network, int]]:
    """Every (network, seed) the recipes need: single networks with each of ``seeds``, an ensemble once (its
    members are seeds ``seeds[0]``, ``seeds[0] + 1``, …); without repeats.

    Notebook: 09_harmonization
    """
    needed: list[tuple[Network, int]] = []
    for r in recipes:
        starts = seeds if r.members == 1 else seeds[:1]
        for s in starts:
            for i in range(r.members):
                if (r.network, s + i) not in needed:
                    needed.append((r.network, s + i))
    return needed


def shipped_networks() -> list[tuple[Network, int]]:
    """The networks notebooks 09–11 and the ``harmonize`` command load: every recipe of the ablation tables with
    seed 0 (an ensemble: seeds 0, 1, 2). These ship with the course; the other seeds only ``make bench`` trains.

    Notebook: 09_harmonization
    """
    return networks_needed([*ALTO_RECIPES.values(), *SATB_RECIPES.values()], seeds=(0,))
