"""Gallery figures as a referee reads them: the layout check itself (legends or insets over
plotted data, computed from the matplotlib artists; legend text at least 7.5 pt) and
byte-reproducible PDFs. The check runs on every figure in tests/test_figures.py's quick build
(through the REPLICA_LAYOUT_REPORT file that replica.plotting.save fills)."""
import hashlib

from replica import plotting
from replica.gallery import all_figures

#: figures not yet brought to the layout standard by their owners (each needs
#: replica.plotting.place_legend / suptitle and a regenerated PNG+PDF; remove a name once done)
LAYOUT_EXEMPT: set = set()     # every figure of the gallery meets the standard


def layout_problems(report_lines) -> list:
    """Offending figures of a layout report (one JSON dict per saved figure)."""
    bad = []
    for r in report_lines:
        if r["name"] in LAYOUT_EXEMPT:
            continue
        small = [s for s in r["legend_fontsizes"] if s < plotting.LEGEND_FONTSIZE]
        if r["overlaps"] or small:
            bad.append({"name": r["name"], "overlaps": r["overlaps"], "small_legend_text": small})
    return bad


def test_overlap_detector_sees_a_covered_curve():
    fig, ax = plotting.new_figure()
    ax.plot([0, 1], [0, 1], label="diagonal")
    ax.plot([0, 1], [1, 1], label="top")
    ax.legend(loc="upper left")                 # over the line y = 1 at the top left
    (hit,) = plotting.legend_overlaps(fig)
    assert hit["what"] == "legend" and hit["points"] > 0
    plotting.place_legend(ax, loc="upper left", fontsize=6)
    assert not plotting.legend_overlaps(fig)
    assert ax.get_legend().get_texts()[0].get_fontsize() >= plotting.LEGEND_FONTSIZE


def test_overlap_detector_sees_an_inset_and_scatter():
    fig, ax = plotting.new_figure()
    ax.scatter([0.1, 0.9], [0.9, 0.9])
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.inset_axes([0.0, 0.6, 0.3, 0.4])        # covers the point (0.1, 0.9)
    (hit,) = plotting.legend_overlaps(fig)
    assert hit["what"] == "inset" and hit["points"] == 1


def test_everything_covered_goes_outside():
    fig, ax = plotting.new_figure()
    x = [0, 1]
    for y in (0.05, 0.5, 0.95):
        ax.plot(x, [y, y], label=f"y={y}")
    for xv in (0.05, 0.5, 0.95):
        ax.plot([xv, xv], [0, 1])
    ax.set(xlim=(0, 1), ylim=(0, 1))
    leg = plotting.place_legend(ax)
    assert leg.get_bbox_to_anchor() is not None and not plotting.legend_overlaps(fig)


def test_pdf_and_png_are_byte_reproducible(tmp_path):
    fig_def = next(f for f in all_figures() if f.name == "gardner_capacity")
    digests = []
    for k in range(2):
        paths = fig_def.build(tmp_path / f"out{k}", True, tmp_path / "data")
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths)])
    assert digests[0] == digests[1]


def test_a_legend_outside_does_not_run_into_the_next_panel():
    fig, axes = plotting.new_figure(ncols=2)
    for ax in axes:
        for y in (0.05, 0.5, 0.95):
            ax.plot([0, 1], [y, y], label=f"a long label for y = {y}")
        for xv in (0.05, 0.5, 0.95):
            ax.plot([xv, xv], [0, 1])
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="x")
    bad = axes[0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    assert bad and plotting.legend_overlaps(fig)            # runs into the right panel
    plotting.place_legend(axes[0])
    assert not plotting.legend_overlaps(fig)


def test_suptitle_clears_the_panel_titles():
    fig, axes = plotting.new_figure(ncols=2)
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_title("a two-line\npanel title")
    fig.suptitle("figure title", y=0.98)
    assert any(r["what"] == "suptitle" for r in plotting.legend_overlaps(fig))
    plotting.suptitle(fig, "figure title")
    assert not plotting.legend_overlaps(fig)


def test_colliding_tick_labels_and_labels_into_a_neighbour_are_seen():
    fig, axes = plotting.new_figure(ncols=2, width=1.6)
    axes[0].set_xticks(range(3), ["perceptron", "committee", "mlp"])
    axes[1].plot([0, 1], [0, 1])
    axes[1].set_ylabel("a y label that is long enough\nto need space")
    kinds = {r["what"] for r in plotting.legend_overlaps(fig)}
    assert "ticklabels" in kinds
    fig2, ax2 = plotting.new_figure()
    ax2.set_xticks(range(3), ["a", "b", "c"])
    assert not plotting.legend_overlaps(fig2)
