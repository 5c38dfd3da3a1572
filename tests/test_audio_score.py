"""helpers.audio and helpers.score: something audible and something engraved, for any voices."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.audio import SAMPLE_RATE, builtin_synthesize, play, synthesize
from helpers.midi import voices_to_midi
from helpers.score import score_svg, show_score, voices_to_score
from tests.conftest import make_chorale, make_voice


def test_builtin_synth_sounds_while_notes_play_and_is_silent_after():
    pm = voices_to_midi([make_voice("S", [69], [2])], tempo=60)  # A4 for two seconds
    wave = builtin_synthesize(pm)
    assert np.abs(wave).max() <= 1.0
    assert np.abs(wave[: SAMPLE_RATE]).mean() > 0.1
    assert np.abs(wave[int(2.2 * SAMPLE_RATE):]).max() < 1e-6
    spectrum = np.abs(np.fft.rfft(wave[:SAMPLE_RATE]))
    assert abs(np.argmax(spectrum) - 440) <= 2  # one second of samples: bin k is k Hz


def test_play_gives_a_wav_of_the_seconds_asked_for_chorales_voices_and_midi():
    import io
    import wave

    c = make_chorale()
    for music in (c, [c.voices["Soprano"]], c.to_midi()):
        with wave.open(io.BytesIO(play(music, seconds=1.0).data)) as wav:
            assert wav.getframerate() == SAMPLE_RATE and wav.getnframes() == SAMPLE_RATE  # one second
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        assert np.abs(samples).max() > 1000  # sound, not silence
    assert len(synthesize(c)) > SAMPLE_RATE
    with pytest.raises(TypeError, match="cannot play"):
        play("not music")


def test_score_has_one_part_per_voice_and_the_key():
    from music21 import key

    c = make_chorale(tonic=7)
    score = voices_to_score(list(c.voices.values()), key=(7, "major"))
    assert len(score.parts) == 4
    for part in score.parts:
        k = part.recurse().getElementsByClass(key.Key)[0]
        assert (k.tonic.name, k.mode, k.sharps) == ("G", "major", 1)
    assert score.parts[0].flatten().notes[0].pitch.midi == c.voices["Soprano"].pitches[0]
    svg = score_svg(score)
    assert svg.lstrip().startswith("<svg")
    n_notes = sum(len(p.flatten().notes) for p in score.parts)
    assert svg.count('class="note"') == n_notes == 4 * len(c.voices["Soprano"])


def test_show_score_draws_the_title_it_is_given_and_no_placeholder_without_one():
    titled = show_score([make_voice("Soprano", [72, 74], [1, 1])], title="Frère Jacques, alto").data
    assert "Frère Jacques, alto" in titled
    untitled = show_score([make_voice("Soprano", [72, 74], [1, 1])]).data
    assert "Music21" not in untitled and "Frère" not in untitled


def test_show_score_of_a_chorale_returns_svg():
    svg = show_score(make_chorale("demo"), max_beats=8)
    assert "<svg" in svg.data[:1000]


def test_flat_keys_are_spelt_with_flats():
    score = voices_to_score([make_voice("Soprano", [70], [1])], key=(5, "major"))
    assert score.parts[0].flatten().notes[0].pitch.name == "B-"
    score = voices_to_score([make_voice("Soprano", [70], [1])], key=(4, "major"))
    assert score.parts[0].flatten().notes[0].pitch.name == "A#"
