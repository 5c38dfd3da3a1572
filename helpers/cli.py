"""Every command of the course, ``python -m helpers COMMAND ...``, and the one place that turns errors into exit
statuses (notebooks 00, 08–10).

Commands: ``data`` (build the chorale cache and MIDI export), ``train-key`` and ``key`` (the key classifier of
notebook 08), ``train-harmonizer`` (the networks of notebooks 09 and 10's ablation tables), ``harmonize`` (notebook
09's alto or notebook 10's three voices under a melody, in the key notebook 08's classifier finds; notebook 11).

Exit statuses: 0 on success; 1 when an input cannot be used (:class:`~helpers.errors.InputError`, a missing file,
folder or saved model), reported as one line ``error: PATH: REASON`` on stderr, without a traceback; 2 for a usage
error (argparse's message: an unknown command, a bad option value).

The options' parsers and the ``harmonize`` options that cannot go together live in :mod:`helpers.cli_options`.

Commands print note and key names with ♭ and ♯ (``B♭ major``); on a console whose encoding cannot write them
(``PYTHONIOENCODING=ascii``, an old Windows code page) :func:`main` writes them ``b`` and ``#`` instead of failing.
"""

from __future__ import annotations

import argparse
import codecs
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .cli_options import (
    VOICE_SETS,
    bars_option,
    check_harmonize_options,
    keep_option,
    key_option,
    output_option,
    positive_int,
    temperature_option,
    transpose_option,
    voices_option,
)
from .errors import InputError
from .readers import formats_read

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


# ------------------------------------------------------------------------------------------------ errors

def error_line(exc: BaseException) -> str:
    """The one-line message a command prints for an unusable input: ``error: PATH: REASON``.

    Notebook: 09_harmonization
    """
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"error: {exc.filename}: {exc.strerror}"
    return f"error: {exc}"


#: The errors a command reports as unusable input (exit 1): everything else is a bug and keeps its traceback.
INPUT_ERRORS = (InputError, OSError)


def report(exc: BaseException) -> int:
    """Print :func:`error_line` of ``exc`` on stderr and return the exit status of unusable input.

    Notebook: 09_harmonization
    """
    print(error_line(exc), file=sys.stderr, flush=True)
    return EXIT_INPUT


#: The codec error handler that writes ♭ and ♯ as ``b`` and ``#`` (anything else unwritable as ``?``).
ASCII_NAMES = "helpers.ascii_names"


def _ascii_names(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    from .theory import ascii_name

    text = ascii_name(exc.object[exc.start:exc.end])
    return "".join(c if c.isascii() else "?" for c in text), exc.end


codecs.register_error(ASCII_NAMES, _ascii_names)


def readable_output(*streams) -> None:
    """Let ``streams`` (default: stdout and stderr) write what their encoding cannot: ♭ and ♯ as ``b`` and ``#``,
    anything else as ``?``, instead of raising UnicodeEncodeError. Streams without ``reconfigure`` are left alone.

    Notebook: 09_harmonization
    """
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=ASCII_NAMES)


def check_outputs(outputs, inputs=()) -> None:
    """Refuse, before anything is loaded, trained or written, output files that cannot be written as asked: a
    path that is the same file as an input (also when spelt differently: ``./tune.mid``, a symbolic link), or a
    folder. Raises :class:`InputError` naming the output path.

    Notebook: 11_harmonize_your_melody
    """
    sources = [Path(i) for i in inputs]
    for out in map(Path, outputs):
        if out.is_dir():
            raise InputError(out, "is a folder: give a file name to write")
        for src in sources:
            same = (os.path.samefile(out, src) if out.exists() and src.exists()
                    else out.resolve() == src.resolve())
            if same:
                raise InputError(out, f"is the input {src}: writing there would overwrite it (give another -o)")


# ---------------------------------------------------------------------------------------------- commands

def cmd_data(args: argparse.Namespace) -> int:
    """``data``: parse the chorales into the cache and export them as MIDI files in ``data/``.

    Notebook: 09_harmonization
    """
    from .chorales import cache_path, export_midi_folder, load_chorales
    from .paths import data_dir

    chorales = load_chorales()
    folder = data_dir() / "bach-midi"
    if not folder.exists() or len(list(folder.glob("*.mid"))) != len(chorales):
        export_midi_folder(chorales, folder)
    skipped = data_dir() / "skipped.txt"
    skipped.write_text(chorales.summary(full=True) + "\n")
    print(chorales.summary())
    print(f"{len(set(c.group for c in chorales))} melody groups; every skipped file with its reason in {skipped}; "
          f"cache {cache_path()}; MIDI export in {folder}")
    return EXIT_OK


def cmd_train_key(args: argparse.Namespace) -> int:
    """``train-key``: train the key classifier of notebook 08 on the chorales (or a MIDI folder) and save it.

    Notebook: 09_harmonization
    """
    from . import keyfinding as kf
    from .chorales import load_chorales

    if args.output is not None:
        if Path(args.output).suffix.lower() != ".keras":
            raise InputError(args.output, "a key classifier is saved as a .keras file")
        check_outputs([args.output])
    chorales = load_chorales(args.midi_folder) if args.midi_folder else load_chorales()
    if not len(chorales):
        raise InputError(chorales.source, f"no usable chorales ({len(chorales.skipped)} files skipped)")
    X = np.stack([kf.features(c) for c in chorales])
    keys = kf.key_labels(chorales)
    model = kf.train_key_classifier(X, keys, steps=args.steps)
    path = kf.save_key_classifier(model, args.output)
    accuracy = float(np.mean(kf.predict_keys(model, X) == keys))
    print(f"trained on {len(chorales)} chorales from {chorales.source} (training accuracy {accuracy:.1%}, "
          f"not a test figure: notebook 08 cross-validates); saved to {path}")
    return EXIT_OK


def cmd_key(args: argparse.Namespace) -> int:
    """``key FILE ...``: print ``FILE<TAB>KEY`` for each file, from its notes alone, by the melody key finder
    (:func:`helpers.melodykey.key_voices`, :func:`helpers.melodykey.rank_melody_keys`: a melody names the key
    ``harmonize`` uses); a file that cannot be read is reported and the others still processed (exit 1 if any
    failed). Every file is read before the classifier is loaded, so a run in which none can be read stops in a
    second, without Keras.

    Notebook: 09_harmonization
    """
    from .keyfinding import check_key_classifier_file, key_classifier
    from .melodykey import key_voices, rank_melody_keys
    from .theory import key_name

    if args.model is not None:
        check_key_classifier_file(args.model)  # a missing or broken --model is named before the files
    status, read = EXIT_OK, []
    for name in args.files:
        try:
            read.append((name, key_voices(name)))
        except INPUT_ERRORS as exc:
            status = report(exc)
    if read:
        model = key_classifier(args.model, train=False)  # trained here, else the one shipped with the course
        for name, voices in read:
            tonic, mode, _ = rank_melody_keys(voices, model)[0]
            print(f"{name}\t{key_name(tonic, mode)}", flush=True)
    return status


def cmd_train_harmonizer(args: argparse.Namespace) -> int:
    """``train-harmonizer``: train the networks notebooks 09–11 and ``harmonize`` load (seed 0 of every recipe of
    notebook 09's and 10's ablation tables, three seeds for an ensemble) on this machine, into ``models_dir()``;
    networks already trained here with the same settings and code are kept. One line per network, one per epoch.
    With ``--ship`` (``make models``, for maintainers): train all of them and the key classifier afresh into the
    package's shipped folder and rewrite its manifest.

    Notebook: 09_harmonization
    """
    from .harmonize import recipes as R

    needed = R.shipped_networks()
    if args.ship:
        from .harmonize.shipped import SHIPPED_DIR, ship

        print(f"training {len(needed)} networks and the key classifier into {SHIPPED_DIR} "
              "(about a minute each on two cores)", flush=True)
        ship(needed, progress=lambda line: print("  " + line, flush=True))
        print(f"done: commit {SHIPPED_DIR} (weights and manifest.json)", flush=True)
        return EXIT_OK
    print(f"{len(needed)} networks for notebooks 09-11 in {R.recipe_dir()}", flush=True)
    for network, seed in needed:
        _, seconds, trained = R.ensure_network(network, seed, shipped=False)
        print(f"  {network.key} seed {seed}: {'trained in' if trained else 'already saved (trained in'} "
              f"{seconds:.0f} s{'' if trained else ')'}", flush=True)
    return EXIT_OK


def describe_key(melody) -> str:
    """The line ``harmonize`` prints about the key: the key used and where it came from, with the classifier's
    runners-up and their probabilities.

    Notebook: 11_harmonize_your_melody
    """
    from .theory import key_name

    ranking = ", ".join(f"{key_name(t, m)} {p:.0%}" for t, m, p in melody.keys)
    if melody.key_source == "key given":
        return f"key: {melody.key_name} (given with --key)"
    return f"key: {melody.key_name} (found from the notes by {melody.key_source.split(', from')[0]}: {ranking})"


def describe_phrases(melody) -> str:
    """The line ``harmonize`` prints about the phrase endings used (beats from the first note, and how found).

    Notebook: 11_harmonize_your_melody
    """
    how = {"fermatas": "from the fermatas",
           "guessed": f"guessed in {melody.key_name}: no fermatas, so found by the phrase-ending model learned from "
                      "Bach's fermatas and the Essen folk songs' phrases",
           "given": "given"}[melody.phrase_source]
    return f"phrase endings at beats {', '.join(f'{e:g}' for e in melody.phrase_ends)} ({how})"


def cmd_harmonize(args: argparse.Namespace) -> int:
    """``harmonize MELODY``: write the melody with generated voices to a MIDI or MusicXML file (the suffix of
    ``-o`` decides), in the key notebook 08's classifier finds (or ``--key``); ``--samples N`` writes N sampled
    alternatives ``OUT-1``, ``OUT-2``, ... instead. ``--keep bass`` keeps the parts under the melody in the file
    (a melody and its bass) and writes the other voices around them; ``--from SETTING --bars N-M`` writes bars
    N–M of an existing setting again and keeps every other note; ``--transpose N`` moves the result N semitones.
    Prints the key and the phrase endings used. Rejects an unusable melody, setting, kept voice or bar range in
    one line before any model is loaded or trained; trains and saves the key classifier or the harmonizer first if
    none is saved.

    Notebook: 11_harmonize_your_melody
    """
    from . import harmonize as H
    from .harmonize import keep as K
    from .harmonize.melody import find_key, read_melody
    from .harmonize.setting import alternatives, check_range, harmonize_melody, setting_faults
    from .harmonize.writing import numbered_path, write_setting
    from .keyfinding import key_classifier, model_path

    check_harmonize_options(args)
    source = Path(args.from_setting or args.melody)
    if args.output:
        out = args.output
    elif args.from_setting:
        what = f"bars{args.bars[0]}-{args.bars[1]}" if args.bars else f"transposed{args.transpose:+d}"
        out = source.with_name(f"{source.stem}-{what}.mid")
    else:
        out = source.with_name(f"{source.stem}-harmonized.mid")
    temperature = (1.0 if args.samples else 0.0) if args.temperature is None else args.temperature
    paths = [numbered_path(out, i + 1) for i in range(args.samples)] if args.samples else [Path(out)]
    # an unusable file, kept voice, bar range, output or range stops here, before any model is loaded or trained
    keep: dict = {}
    original = None
    if args.from_setting is not None:
        melody, parts = K.read_parts(source, key=args.key, find=False)
        original = K.setting_of(melody, parts, source)
        outputs = tuple(v.name for v in original.voices[1:])
        if args.voices is not None and args.voices != outputs:
            raise InputError(source, f"the setting has {', '.join(outputs)} under the melody, not the voices of "
                                     f"--voices {'satb' if len(args.voices) == 3 else 'alto'}")
        missing = [v for v in args.keep or () if v not in outputs]
        if missing:
            raise InputError(source, f"no {' or '.join(missing)} part to keep in the setting")
        if args.bars:
            start, end = K.bar_span(melody, *args.bars)
            keep = K.keep_outside(original, start, end)
            keep.update(K.keep_whole({v.name: v for v in original.voices[1:] if v.name in (args.keep or ())}))
    elif args.keep:
        outputs = VOICE_SETS["satb"]
        melody, parts = K.read_parts(source, key=args.key, find=False)
        keep = K.keep_whole(K.match_parts(parts, args.keep, source))
    else:
        outputs = args.voices or VOICE_SETS["alto"]
        melody = read_melody(source, key=args.key, find=False)
    K.check_keep(melody, keep)
    check_outputs(paths, [source])
    write_new = args.from_setting is None or bool(args.bars)
    if write_new:
        saved = H.Harmonizer.default_path(outputs).with_suffix(".json")
        check_range(melody, saved if saved.is_file() else H.shipped_encoding(H.BEST[outputs].network),
                    key_known=args.key is not None)
    if args.key is None:
        try:
            classifier = key_classifier(train=False)  # trained here, else the one shipped with the course
        except FileNotFoundError:
            print(f"no saved key classifier at {model_path()}: training one on the chorales as python -m helpers "
                  "train-key does (notebook 08's classifier; a few seconds) ...", file=sys.stderr)
            classifier = None
        melody = find_key(melody, classifier)
    print(describe_key(melody))
    print(describe_phrases(melody))
    if write_new:
        try:
            harmonizer = H.Harmonizer.load(outputs=outputs)
        except FileNotFoundError:
            notebook = "09" if outputs == H.DEFAULT_OUTPUTS else "10"
            print(f"no saved model at {H.Harmonizer.default_path(outputs)}: making notebook {notebook}'s best one (an "
                  "ensemble of three networks shipped with the course) and saving it there ...", file=sys.stderr)
            harmonizer = H.default_harmonizer(outputs)
        if args.samples:
            settings = alternatives(melody, harmonizer, args.samples, temperature, keep=keep)
        else:
            settings = [harmonize_melody(melody, harmonizer, temperature, 0 if temperature else None, keep=keep)]
    else:
        settings = [original]
    written = melody
    for setting, path in zip(settings, paths):
        if args.transpose:
            setting, written = K.transpose_setting(setting, melody, args.transpose)
        write_setting(setting, written, path)
        faults = setting_faults(setting.voices, melody.time_signature, melody.anacrusis)
        kept = f"; kept {', '.join(sorted({v for v in keep}))}" if keep else ""
        moved = f"; transposed {args.transpose:+d} to {written.key_name}" if args.transpose else ""
        score = "" if math.isnan(setting.log_probability) else f"log-probability {setting.log_probability:.1f}, "
        print(f"wrote {path} (Soprano + {' + '.join(outputs)}; {score}{len(faults)} voice-leading "
              f"fault{'' if len(faults) == 1 else 's'}{kept}{moved})")
    if args.samples and len(settings) < args.samples:
        print(f"only {len(settings)} different settings in {4 * args.samples} draws at temperature "
              f"{temperature:g}", file=sys.stderr)
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ parser

def _command(sub, name: str, func: Callable[[argparse.Namespace], int], help: str,
             description: str | None = None) -> argparse.ArgumentParser:
    """The sub-command ``name``: its parser, which runs ``func`` and reports usage errors (``usage_error``)."""
    p = sub.add_parser(name, help=help, description=description)
    p.set_defaults(func=func, usage_error=p.error)
    return p


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m helpers``: one sub-command per course command, each with its ``func``.

    Notebook: 09_harmonization
    """
    parser = argparse.ArgumentParser(prog="python -m helpers", description="Deep learning for music: course commands.")
    sub = parser.add_subparsers(dest="command", required=True)

    _command(sub, "data", cmd_data, help="parse the chorales into data/ (cache and MIDI export)")

    p = _command(sub, "train-key", cmd_train_key,
                 help="train the key classifier of notebook 08 on the chorales and save it",
                 description="Train the 24-key classifier on all chorales (every transposition) and save it "
                             f"to {Path('data') / 'models' / 'key_classifier.keras'}.")
    p.add_argument("--midi-folder", help="train on the chorale MIDI files in this folder instead of music21's")
    p.add_argument("--steps", type=positive_int, default=600, help="training steps (mini-batches of 256)")
    p.add_argument("--output", help="where to save the model, a .keras file (default: "
                                    "data/models/key_classifier.keras)")

    p = _command(sub, "key", cmd_key,
                 help="name the key (tonic and mode) of MIDI, MusicXML, Humdrum or ABC files from their notes",
                 description="Print 'FILE<TAB>TONIC MODE' per file, read from the notes alone (never the "
                             "key signature) by the classifier saved by python -m helpers train-key (else the "
                             "one shipped with the course) with a key profile; a melody gets the key "
                             "harmonize uses.")
    p.add_argument("files", nargs="+", metavar="FILE", help=formats_read())
    p.add_argument("--model", help="a saved classifier (default: data/models/key_classifier.keras if train-key "
                                   "saved one, else the one shipped with the course)")

    p = _command(sub, "train-harmonizer", cmd_train_harmonizer,
                 help="train the harmonizer networks of notebooks 09-11 on this machine",
                 description="Train and save (in data/models/recipes, or $COURSE_MODELS_DIR) the networks that "
                             "notebooks 09-11 and harmonize load, instead of the ones shipped with the course; "
                             "networks saved with the same settings are kept. The README says how long it takes.")
    p.add_argument("--ship", action="store_true",
                   help="(maintainers, make models) retrain them and the key classifier into the package's shipped "
                        "folder and rewrite its manifest")

    p = _command(sub, "harmonize", cmd_harmonize,
                 help="write an alto, or alto, tenor and bass, under a melody from a MIDI, MusicXML, Humdrum or ABC "
                      "file",
                 description="Harmonize a melody in the key that notebook 08's classifier finds in its notes "
                             "(or --key); print the key and the phrase endings used; write MIDI or MusicXML.")
    p.add_argument("melody", nargs="?", help=f"the melody ({formats_read()}): the first MIDI track or score part "
                                             "with notes, the first tune of an ABC file; with --keep, the parts "
                                             "under it too")
    p.add_argument("-o", "--output", type=output_option,
                   help="file to write, .mid/.midi or .musicxml/.xml (default: MELODY-harmonized.mid beside it)")
    p.add_argument("--voices", type=voices_option,
                   help="voices to generate, the sets that have a harmonizer: alto (default) or satb (tracks "
                        "Soprano, Alto, Tenor, Bass; the default with --keep, and --from takes the setting's)")
    p.add_argument("--key", type=key_option, help='the key, e.g. "G minor" or "Bb major" (default: found from the '
                                                  "notes; a key signature in the file is not read)")
    p.add_argument("--samples", type=positive_int, metavar="N",
                   help="write N different sampled settings, OUT-1, OUT-2, ... (temperature 1 unless given; "
                        "it must be above 0)")
    p.add_argument("--temperature", type=temperature_option, metavar="T",
                   help="0 (default without --samples) writes the most likely setting; a finite number above 0 "
                        "samples (larger: freer)")
    p.add_argument("--keep", type=keep_option, metavar="VOICES",
                   help="keep these voices (bass, or e.g. alto,tenor) from the parts under the melody in the file "
                        "(matched by part name, else top to bottom) and write the others around them")
    p.add_argument("--from", dest="from_setting", metavar="SETTING",
                   help="change an existing setting (MIDI or MusicXML with parts Soprano, Alto[, Tenor, Bass], as "
                        "this command writes them) instead of harmonizing a melody: with --bars or --transpose")
    p.add_argument("--bars", type=bars_option, metavar="N-M",
                   help="with --from: write bars N to M again (bar 1 is the first full bar, 0 a pickup) and keep "
                        "every other note")
    p.add_argument("--transpose", type=transpose_option, metavar="N",
                   help="move the written setting N semitones up (negative: down), key included")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a course command; return its exit status (see the module docstring). Usage errors raise SystemExit(2)
    from argparse.

    Notebook: 09_harmonization
    """
    readable_output()
    args = build_parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.func
    try:
        return int(command(args) or EXIT_OK)
    except INPUT_ERRORS as exc:
        return report(exc)
