package org.fwdlearn.core.kernel;

import static org.fwdlearn.core.kernel.GemmMicroKernel.MR;
import static org.fwdlearn.core.kernel.GemmMicroKernel.MR_HALF;
import static org.fwdlearn.core.kernel.GemmMicroKernel.NV;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Tuning;

/**
 * Vector API GEMM: packing, cache blocking and a register-blocked FMA micro-kernel, the structure of
 * GotoBLAS and BLIS, with the vectors along the rows of C because C is row-major.
 *
 * <p>Packing. The shared dimension is cut into blocks of {@link Tuning#GEMM_KC}. For each block, alpha *
 * op(A) is packed into strips of {@code MR = 12} rows (a last strip of at most 6 rows is a half strip; rows
 * past the edge are zero) and op(B) into strips of {@code NR = 2} vectors of columns (the last columns in
 * one-vector strips, zero past the edge), so the micro-kernel reads both contiguously whatever the
 * transposes: a plain B is copied row by row, a transposed B gathered column by column. The micro-kernel
 * ({@link GemmMicroKernel}) keeps a 12 x 2-vector tile of C in 24 vector registers and per step loads 2
 * vectors of B and broadcasts 12 elements of A; 512-bit, that is 24 FMAs for 14 loads. The bottom and right
 * edges use 6-row and one-vector kernels; a partial last vector goes through a scratch tile.
 *
 * <p>Zero steps. Where a packed A strip is all zero at a step p (MNIST's blank pixels: half the steps of a
 * 12-image strip of the input layer), the step adds nothing: from an accumulator that starts at +0, {@code
 * fma(0, b, acc) == acc} for every finite b. A strip with at least a quarter of its steps zero is also kept
 * without them, in runs of consecutive steps, and its whole-strip tiles go through a kernel that runs over the
 * runs ({@link GemmMicroKernel#tileSparse}); the result is bit for bit the same. The one difference: a NaN or
 * an infinity in a row of B that meets only zeros of such a strip does not reach that strip's rows of C.
 *
 * <p>Cache blocking and threads. A B strip ({@code kc x NR}, 32 KiB at kc = 256 and 512 bits) stays in L1
 * while the A strips of a block stream past it from L2.
 *
 * <ul>
 *   <li>At most {@link Tuning#GEMM_MC} rows (a training batch): all of A is packed once per call (the
 *       packing split over the threads) and shared; the columns are split into one contiguous range of
 *       whole vectors per thread, and each thread packs, per K block, the B block of its columns (in at
 *       most {@link Tuning#GEMM_NC} columns, so it stays in L2) and runs it past all of A.
 *   <li>More rows: per NC x KC block, B is packed once (split over the threads) and shared; the rows are
 *       split into one range of whole strips per thread, each thread packing its A in equal blocks of at
 *       most MC rows.
 *   <li>At most one vector of columns and A not transposed (the output layer, {@code 64x1024x10}): packing
 *       A would cost more than the product, so alpha goes with the packed B and A is read in place; the
 *       rows are split over the threads.
 * </ul>
 *
 * <p>Arithmetic, the same on every kernel: within a K block each output element accumulates {@code fma(a,
 * b, acc)} of its (alpha-scaled) operands from zero in increasing p; the first block then stores {@code
 * acc} (beta 0: C is not read) or {@code fma(C, beta, acc)}, later blocks {@code C + acc}. The K blocks and
 * the path (chosen from the shape) do not depend on the thread count, so results are bit-for-bit identical
 * whatever the split.
 *
 * <p>Buffers belong to the calling thread ({@link ThreadLocal}); the call's state object is reused and is
 * itself the task body, so steady-state calls allocate nothing.
 */
final class VectorGemm implements GemmKernel {
  private static final ConcurrentHashMap<Integer, GemmMicroKernel> MICRO = new ConcurrentHashMap<>();

  /**
   * At most this many rows of A against a transposed B go through dot products along B's rows instead of the
   * packed kernel: packing B would read and write all of it for a handful of rows.
   */
  static final int SMALL_M = 4;

  /**
   * The direct path (a batch against weights read in place) needs at least this inner dimension: its transposed
   * store costs about one operation per element of C, against 2k for the product.
   */
  static final int DIRECT_MIN_K = 128;

  /** Steps of a shared B strip probed for a zero one before the strip is scanned (see zeroStepAmongFirst). */
  static final int PROBE_STEPS = 8;

  /** Zero steps between two runs of nonzero steps of a sparse A strip that are multiplied rather than skipped. */
  static final int RUN_GAP = 2;

  /** Fewer floats than this are packed on the caller's thread alone (a hand-off costs about a microsecond). */
  private static final long PARALLEL_PACK_MIN = 16_384;

  private final GemmMicroKernel micro;
  private final int lanes;
  private final int nr;
  private final int mc;
  private final int kc;
  private final int nc;
  private final ThreadLocal<Context> contexts;
  private final boolean skipZeroSteps;
  /** Whether a batch against a transposed B reads B in place (see {@link #dispatch}). */
  private final boolean direct;

  VectorGemm(VectorSpecies<Float> species) {
    this(species, true);
  }

  /**
   * With {@code shortcuts} false, every packed A strip is multiplied whole and a transposed B is always packed:
   * the reference for the properties that neither shortcut changes a bit.
   */
  VectorGemm(VectorSpecies<Float> species, boolean shortcuts) {
    this.skipZeroSteps = shortcuts;
    this.direct = shortcuts;
    this.micro = MICRO.computeIfAbsent(species.vectorBitSize(), bits -> loadMicroKernel(species));
    this.lanes = micro.lanes();
    this.nr = NV * lanes;
    this.mc = Math.max(MR, Tuning.GEMM_MC / MR * MR);
    this.kc = Math.max(1, Tuning.GEMM_KC);
    this.nc = Math.max(nr, Tuning.GEMM_NC / nr * nr);
    this.contexts = ThreadLocal.withInitial(Context::new);
  }

  /**
   * Defines a hidden copy of {@link VectorGemmMicro} whose species constant is {@code species}: the JIT
   * needs the species as a constant to emit SIMD code, and one source serves every width.
   */
  private static GemmMicroKernel loadMicroKernel(VectorSpecies<Float> species) {
    String resource = VectorGemmMicro.class.getSimpleName() + ".class";
    try (InputStream in = VectorGemmMicro.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("class file " + resource + " not found");
      }
      MethodHandles.Lookup hidden =
          MethodHandles.lookup().defineHiddenClassWithClassData(in.readAllBytes(), species, true);
      return (GemmMicroKernel)
          hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot define the GEMM micro-kernel for " + species, e);
    }
  }

  /** A kernel of {@code bits}-bit vectors without the shortcuts (for tests). */
  static VectorGemm plain(int bits) {
    return new VectorGemm(VectorSpecies.of(float.class, VectorShape.forBitSize(bits)), false);
  }

  @Override
  public String toString() {
    return "VectorGemm(" + lanes * Float.SIZE + "-bit" + (skipZeroSteps ? "" : ", plain") + ")";
  }

  /** Rows of a packed A block of {@code rows} rows: whole strips, the last one full or half. */
  private static int paddedRows(int rows) {
    int full = rows / MR;
    int rest = rows - full * MR;
    return full * MR + (rest == 0 ? 0 : rest <= MR_HALF ? MR_HALF : MR);
  }

  @Override
  public void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc,
      ThreadPool pool) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0f) {
      scaleC(m, n, beta, c, cOff, ldc);
      return;
    }
    Context ctx = contexts.get();
    ctx.set(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    try {
      dispatch(ctx, pool);
    } finally {
      ctx.clear();
    }
  }

  /**
   * The narrow and dot-product paths store C through merges of their own; the fused step is wired into the
   * packed kernel only, where K fits one block.
   */
  @Override
  public boolean fusesSgd(boolean transA, boolean transB, int m, int n, int k) {
    return k <= kc && !(n <= lanes && !transA) && !(m <= SMALL_M && transB && !transA && k >= lanes);
  }

  @Override
  public boolean gemmSgd(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] w,
      int wOff,
      int ldw,
      float[] v,
      int vOff,
      int ldv,
      float lr,
      float momentum,
      float weightDecay,
      ThreadPool pool) {
    if (!fusesSgd(transA, transB, m, n, k)) {
      throw new IllegalArgumentException("gemmSgd: " + m + "x" + n + "x" + k + " cannot be fused (k > " + kc + ")");
    }
    if (m == 0 || n == 0) {
      return true;
    }
    Context ctx = contexts.get();
    ctx.set(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, 0f, null, 0, 0);
    ctx.fuse(w, wOff, ldw, v, vOff, ldv, lr, momentum, weightDecay);
    try {
      if (k == 0 || alpha == 0f) {
        // G = 0: the step on a zero tile, row block by row block
        float[] zero = ctx.zeroTile();
        for (int i = 0; i < m; i += MR) {
          for (int j = 0; j < n; j += nr) {
            ctx.epilogue(zero, nr, i, Math.min(MR, m - i), j, Math.min(nr, n - j));
          }
        }
      } else {
        dispatch(ctx, pool);
      }
      return !ctx.nonFinite;
    } finally {
      ctx.clear();
    }
  }

  private void dispatch(Context ctx, ThreadPool pool) {
    int m = ctx.m;
    int n = ctx.n;
    int k = ctx.k;
    boolean transA = ctx.transA;
    boolean transB = ctx.transB;
    long work = (long) m * n * k;
    int threads = work >= Tuning.GEMM_PARALLEL_MIN ? pool.parallelism() : 1;
    {
      if (m <= SMALL_M && transB && !transA && k >= lanes) {
        // A few rows against a transposed B (inference on single examples): dot products along B's rows.
        ctx.tasks = Math.min(threads, (n + 3) / 4);
        ctx.phase = Context.SPLIT_DOTS;
        run(pool, ctx.tasks, ctx);
      } else if (n <= lanes && transB && !transA && k >= lanes) {
        // A batch against a narrow transposed B (an output layer's weights): the same dot products, blocks of
        // DOT_ROWS rows of A by DOT_COLS rows of B, both read in place. Packing B into one vector of columns
        // left a third of the lanes empty at n = 10 and needed a broadcast per multiply-add.
        ctx.tasks = Math.min(threads, (m + GemmMicroKernel.DOT_ROWS - 1) / GemmMicroKernel.DOT_ROWS);
        ctx.phase = Context.SPLIT_DOT_BLOCKS;
        run(pool, ctx.tasks, ctx);
      } else if (n <= lanes && !transA) {
        // One vector of columns: packing A would cost more than the product, so a row-major A is read
        // in place.
        ctx.shared = ctx.ensureB(k * lanes);
        ctx.packNarrowB();
        ctx.tasks = Math.min(threads, (m + MR - 1) / MR);
        ctx.phase = Context.SPLIT_NARROW;
        run(pool, ctx.tasks, ctx);
      } else if (direct && transB && !transA && ctx.alpha == 1f && !ctx.fused && m <= mc && m % nr == 0
          && n >= nr && k >= DIRECT_MIN_K) {
        // A batch against a transposed B (a layer's weights W, n x k): C^T = W A^T with W read in place, so W
        // is never packed; A^T, small, is packed once and shared. Only for whole strips of A's rows: a
        // one-vector remainder would go past W in MR x 1-vector tiles, at half the width (PEPITA's stacked 74
        // rows measured slower than the packed path).
        ctx.shared = ctx.ensureB(k * m);
        ctx.packAT();
        ctx.tasks = Math.min(threads, (n + MR - 1) / MR);
        ctx.phase = Context.SPLIT_W;
        run(pool, ctx.tasks, ctx);
      } else if (m <= mc) {
        int strips = (paddedRows(m) + MR - 1) / MR;
        int kBlocks = (k + kc - 1) / kc;
        ctx.ensureA(paddedRows(m) * k); // all of A, in ctx.aPack, read by every task
        ctx.tasks = (long) m * k >= PARALLEL_PACK_MIN ? Math.min(threads, strips * kBlocks) : 1;
        ctx.phase = Context.PACK_ALL_A;
        run(pool, ctx.tasks, ctx);
        ctx.tasks = Math.min(threads, (n + lanes - 1) / lanes);
        ctx.phase = Context.SPLIT_N;
        run(pool, ctx.tasks, ctx);
      } else {
        int strips = (m + MR - 1) / MR;
        for (int jc = 0; jc < n; jc += nc) {
          int ncb = Math.min(nc, n - jc);
          for (int pc = 0; pc < k; pc += kc) {
            int kcb = Math.min(kc, k - pc);
            ctx.jc = jc;
            ctx.ncb = ncb;
            ctx.pc = pc;
            ctx.kcb = kcb;
            ctx.shared = ctx.ensureB(kcb * (ncb + lanes));
            ctx.sparseB = skipZeroSteps;
            ctx.ensureBSparse(kcb * (ncb + lanes));
            ctx.tasks = (long) kcb * ncb >= PARALLEL_PACK_MIN ? Math.min(threads, stripCount(ncb)) : 1;
            ctx.phase = Context.PACK_B;
            run(pool, ctx.tasks, ctx);
            ctx.tasks = Math.min(threads, strips);
            ctx.phase = Context.SPLIT_M;
            run(pool, ctx.tasks, ctx);
          }
        }
      }
    }
  }

  private static void run(ThreadPool pool, int tasks, IntConsumer body) {
    if (tasks == 1) {
      body.accept(0);
    } else {
      pool.forEach(tasks, body);
    }
  }

  /** {@code C <- beta * C}; C is not read when beta is 0. */
  private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
    if (beta == 1f) {
      return;
    }
    for (int i = 0; i < m; i++) {
      int row = cOff + i * ldc;
      if (beta == 0f) {
        Arrays.fill(c, row, row + n, 0f);
      } else {
        for (int j = row; j < row + n; j++) {
          c[j] *= beta;
        }
      }
    }
  }

  /** Packed B strips for {@code ncb} columns: whole NR strips, then one-vector strips. */
  private int stripCount(int ncb) {
    int full = ncb / nr;
    return full + (ncb - full * nr + lanes - 1) / lanes;
  }

  /**
   * A calling thread's state: the arguments of its current call (read by all the tasks of the call) and
   * the thread's own packing buffers (used by whatever task the thread runs). It is also the task body, so
   * a call allocates nothing.
   */
  private final class Context implements IntConsumer {
    static final int PACK_ALL_A = 0;
    static final int SPLIT_N = 1;
    static final int PACK_B = 2;
    static final int SPLIT_M = 3;
    static final int SPLIT_NARROW = 4;
    static final int SPLIT_DOTS = 5;
    static final int SPLIT_W = 6;
    static final int SPLIT_DOT_BLOCKS = 7;

    private float[] aPack = new float[0];
    /**
     * The steps of the A strips in {@link #aPack}: for the strip at {@code aPack[d]}, {@code aKeep[d / 6]} is
     * the number of steps kept, and when some were left out, the runs of kept steps follow it (see {@link
     * #leaveOutZeroSteps}).
     */
    private int[] aKeep = new int[1];
    /** The A strips of {@link #aPack} without their zero steps, at the same offsets (where some were left out). */
    private float[] aSparse = new float[0];
    private float[] bPack = new float[0];
    private final int[] gatherMap = new int[lanes];
    /** A partial vector of C goes through here: MR rows of one vector. */
    private final float[] edge = new float[MR * lanes];
    /** With the fused SGD step, every tile of G goes through here: MR rows of NR columns. */
    private final float[] tileBuf = new float[MR * nr];
    /** A sparse tile's sums go through here on their way to C or to tileBuf. */
    private final float[] sparseTile = new float[MR * nr];
    /** The dot-product paths' lanes (a block's vectors) and sums. */
    private final float[] dotLanes = new float[GemmMicroKernel.DOT_ROWS * GemmMicroKernel.DOT_COLS * lanes];
    private final float[] dotSums = new float[GemmMicroKernel.DOT_ROWS * GemmMicroKernel.DOT_COLS];
    /** The transposed tile of the direct path (SPLIT_W): up to MR_HALF rows of W by NR rows of A. */
    private final float[] wTile = new float[MR * nr];
    /** One run [0, kcb): a whole packed strip. */
    private final int[] wholeRun = new int[2];
    /**
     * The runs of the packed whole B strips that left out zero steps: the direct path's A^T strips, or with
     * {@link #sparseB} the row split's shared B block, each at its offset / lanes (see {@link
     * #leaveOutZeroSteps}).
     */
    private int[] bKeep = new int[1];
    /** Those strips without their zero steps, at the same offsets. */
    private float[] bSparse = new float[0];
    /** Whether the shared B block of the row split (SPLIT_M) has its runs in bKeep. */
    boolean sparseB;
    private float[] zeros;

    /** The fused SGD step (gemmSgd): W, V and the step's constants; nonFinite is set by any task. */
    boolean fused;
    float[] w;
    int wOff;
    int ldw;
    float[] v;
    int vOff;
    int ldv;
    float lr;
    float momentum;
    float weightDecay;
    boolean nonFinite;
    private int gatherLd = -1;

    boolean transA;
    boolean transB;
    int m;
    int n;
    int k;
    float alpha;
    float[] a;
    int aOff;
    int lda;
    float[] b;
    int bOff;
    int ldb;
    float beta;
    float[] c;
    int cOff;
    int ldc;

    int phase;
    int tasks;
    int jc;
    int ncb;
    int pc;
    int kcb;
    /**
     * The caller's packed B that all tasks read: a block of B (SPLIT_M), A^T (SPLIT_W) or the narrow B (all of
     * A, for SPLIT_N, is in the caller's {@link #aPack}).
     */
    float[] shared;

    void set(
        boolean transA,
        boolean transB,
        int m,
        int n,
        int k,
        float alpha,
        float[] a,
        int aOff,
        int lda,
        float[] b,
        int bOff,
        int ldb,
        float beta,
        float[] c,
        int cOff,
        int ldc) {
      this.transA = transA;
      this.transB = transB;
      this.m = m;
      this.n = n;
      this.k = k;
      this.alpha = alpha;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.beta = beta;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
    }

    void ensureBSparse(int size) {
      if (bSparse.length < size) {
        bSparse = new float[size];
        bKeep = new int[size / lanes + 1];
      }
    }

    /** Drops the references to the caller's arrays. */
    void clear() {
      sparseB = false;
      a = null;
      b = null;
      c = null;
      shared = null;
      fused = false;
      w = null;
      v = null;
    }

    void fuse(float[] w, int wOff, int ldw, float[] v, int vOff, int ldv, float lr, float momentum, float decay) {
      this.fused = true;
      this.w = w;
      this.wOff = wOff;
      this.ldw = ldw;
      this.v = v;
      this.vOff = vOff;
      this.ldv = ldv;
      this.lr = lr;
      this.momentum = momentum;
      this.weightDecay = decay;
      this.nonFinite = false;
    }

    float[] zeroTile() {
      if (zeros == null) {
        zeros = new float[MR * nr];
      }
      return zeros;
    }

    /** The SGD step on rows [i, i + rows) x columns [j, j + cols) of W and V, G in t (leading dimension ldt). */
    void epilogue(float[] t, int ldt, int i, int rows, int j, int cols) {
      if (!micro.sgdTile(t, ldt, rows, cols, w, wOff + i * ldw + j, ldw, v, vOff + i * ldv + j, ldv, lr, momentum,
          weightDecay)) {
        nonFinite = true; // only ever set; the pool's join publishes it to the caller
      }
    }

    float[] ensureA(int size) {
      if (aPack.length < size) {
        aPack = new float[size];
        aSparse = new float[size];
        aKeep = new int[size / MR_HALF + 1];
      }
      return aPack;
    }

    /** Steps packed in this context's A strip at {@code aPack[aIdx]}. */
    int steps(int aIdx) {
      return aKeep[aIdx / MR_HALF];
    }

    /** Runs of B rows met by the strip at {@code aSparse[aIdx]} (when it left out steps). */
    int runs(int aIdx) {
      return aKeep[aIdx / MR_HALF + 1];
    }

    /** Where those runs' {@code [start, end)} are in {@link #aKeep}. */
    int runIndex(int aIdx) {
      return aIdx / MR_HALF + 2;
    }

    float[] ensureB(int size) {
      if (bPack.length < size) {
        bPack = new float[size];
      }
      return bPack;
    }

    int[] gatherMap(int ld) {
      if (gatherLd != ld) {
        for (int l = 0; l < lanes; l++) {
          gatherMap[l] = l * ld;
        }
        gatherLd = ld;
      }
      return gatherMap;
    }

    /** Task {@code t} of the current phase; runs on any thread, with that thread's buffers. */
    @Override
    public void accept(int t) {
      Context own = contexts.get();
      switch (phase) {
        case PACK_ALL_A -> packAllA(t);
        case SPLIT_N -> splitN(own, t);
        case PACK_B -> packSharedB(own, t);
        case SPLIT_M -> splitM(own, t);
        case SPLIT_NARROW -> splitNarrow(own, t);
        case SPLIT_DOTS -> splitDots(own, t);
        case SPLIT_W -> splitW(own, t);
        case SPLIT_DOT_BLOCKS -> splitDotBlocks(own, t);
        default -> throw new IllegalStateException("unknown GEMM phase " + phase);
      }
    }

    /** Start of part t of {@code count} units split into {@link #tasks} near-equal parts. */
    private int part(int count, int t) {
      return (int) ((long) count * t / tasks);
    }

    // ------------------------------------------------------------ at most MC rows: split N

    /** Part t of the (K block, A strip) pairs of all of A, into this context's A buffer. */
    private void packAllA(int t) {
      int padded = paddedRows(m);
      int strips = (padded + MR - 1) / MR;
      int kBlocks = (k + kc - 1) / kc;
      int units = strips * kBlocks;
      for (int u = part(units, t), end = part(units, t + 1); u < end; u++) {
        int pcb = (u / strips) * kc;
        int i = (u % strips) * MR;
        int kcb = Math.min(kc, k - pcb);
        packA(this, padded * pcb + i * kcb, i, Math.min(MR, m - i), pcb, kcb);
      }
    }

    /**
     * All rows, the columns of task t (whole vectors), in blocks of NC columns: per K block, pack the
     * task's B block (it stays in L2), then run its strips past the shared A block.
     */
    private void splitN(Context own, int t) {
      int vectors = (n + lanes - 1) / lanes;
      int j0 = part(vectors, t) * lanes;
      int j1 = Math.min(n, part(vectors, t + 1) * lanes);
      int padded = paddedRows(m);
      for (int jcb = j0; jcb < j1; jcb += nc) {
        int ncb = Math.min(nc, j1 - jcb);
        float[] bp = own.ensureB(Math.min(kc, k) * (ncb + lanes));
        for (int pcb = 0; pcb < k; pcb += kc) {
          int kcb = Math.min(kc, k - pcb);
          packBlock(own, bp, jcb, ncb, pcb, kcb, 0, stripCount(ncb));
          macro(own, this, padded * pcb, 0, m, kcb, bp, jcb, ncb, pcb);
        }
      }
    }

    // ------------------------------------------------------------ more rows: split M

    /** Part t of the strips of the shared B block of the current (jc, pc). */
    private void packSharedB(Context own, int t) {
      int strips = stripCount(ncb);
      int s0 = part(strips, t);
      int s1 = part(strips, t + 1);
      packBlock(own, shared, jc, ncb, pc, kcb, s0, s1);
      for (int s = s0, full = ncb / nr; s < Math.min(s1, full); s++) {
        int dst = s * kcb * nr;
        if (sparseB && zeroStepAmongFirst(shared, dst, kcb)) {
          leaveOutZeroSteps(shared, bSparse, bKeep, dst, dst / lanes, nr, kcb);
        } else {
          bKeep[dst / lanes] = kcb;
        }
      }
    }

    /** The rows of task t (whole strips), in MC blocks, against the shared B block. */
    private void splitM(Context own, int t) {
      int strips = (m + MR - 1) / MR;
      int i0 = part(strips, t) * MR;
      int i1 = Math.min(m, part(strips, t + 1) * MR);
      // Equal blocks of at most MC rows (whole strips), rather than full blocks and a thin last one.
      int blocks = (i1 - i0 + mc - 1) / mc;
      int blockRows = blocks == 0 ? MR : ((i1 - i0 + blocks - 1) / blocks + MR - 1) / MR * MR;
      for (int ic = i0; ic < i1; ic += blockRows) {
        int mcb = Math.min(blockRows, i1 - ic);
        own.ensureA((mcb + MR - 1) / MR * MR * kcb);
        for (int i = 0; i < mcb; i += MR) {
          packA(own, i * kcb, ic + i, Math.min(MR, mcb - i), pc, kcb);
        }
        macro(own, own, 0, ic, mcb, kcb, shared, jc, ncb, pc);
      }
    }

    // ------------------------------------------------------------ a batch against W^T: W read in place

    /**
     * Packs op(A)^T = A^T (k x m, A row-major m x k, m a multiple of NR) into {@link #shared} as the NR-column B
     * strips of the swapped product C^T = W A^T: strip s0 (its first column) at {@code s0 * k}, each K block of a
     * strip contiguous (at {@code s0 * k + pcb * NR}); each block then leaves out its zero steps into {@link
     * #bSparse}, its runs in {@link #bKeep} at {@code offset / lanes}.
     */
    void packAT() {
      ensureBSparse(k * m);
      int[] map = gatherMap(lda);
      for (int s0 = 0; s0 < m; s0 += nr) {
        for (int pcb = 0; pcb < k; pcb += kc) {
          int kcb = Math.min(kc, k - pcb);
          int dst = s0 * k + pcb * nr;
          for (int v = 0; v < nr; v += lanes) {
            micro.gatherColumns(a, aOff + (s0 + v) * lda + pcb, kcb, shared, dst + v, nr, map);
          }
          if (skipZeroSteps) {
            leaveOutZeroSteps(shared, bSparse, bKeep, dst, dst / lanes, nr, kcb);
          } else {
            bKeep[dst / lanes] = kcb;
          }
        }
      }
    }

    /**
     * The W strips (MR rows of B) of task t, each as two halves ({@link GemmMicroKernel#tileDirect} takes MR_HALF
     * rows): for each packed A^T strip, the K blocks of the transposed tile C^T = W A^T in a scratch tile (the
     * first block from C's transpose when beta is not 0), then the tile into C. Per element the operations of the
     * packed path: fma over p from zero per K block (the product is commutative), {@code fma(C, beta, acc)} or
     * {@code acc} for the first block, {@code C + acc} for the others.
     */
    private void splitW(Context own, int t) {
      int strips = (n + MR - 1) / MR;
      for (int st = part(strips, t), end = part(strips, t + 1); st < end; st++) {
        for (int i0 = st * MR, last = Math.min(n, i0 + MR); i0 < last; i0 += MR_HALF) {
          for (int s0 = 0; s0 < m; s0 += nr) {
            directTile(own, i0, Math.min(MR_HALF, last - i0), s0);
          }
        }
      }
    }

    /** Rows [i0, i0 + rows) of W against the packed A^T strip of columns [s0, s0 + NR) of C^T, into C. */
    private void directTile(Context own, int i0, int rows, int s0) {
      float[] tile = own.wTile;
      if (beta != 0f) {
        for (int r = 0; r < rows; r++) {
          for (int j = 0; j < nr; j++) {
            tile[r * nr + j] = c[cOff + (s0 + j) * ldc + i0 + r];
          }
        }
      }
      for (int pcb = 0; pcb < k; pcb += kc) {
        int kcb = Math.min(kc, k - pcb);
        int dst = s0 * k + pcb * nr;
        boolean read = pcb > 0 || beta != 0f;
        float bta = pcb > 0 ? 1f : beta;
        int wIdx = bOff + i0 * ldb + pcb;
        int at = dst / lanes;
        if (bKeep[at] == kcb) {
          own.wholeRun[1] = kcb;
          micro.tileDirect(1, own.wholeRun, 0, b, wIdx, ldb, shared, dst, tile, 0, nr, rows, read, bta);
        } else {
          micro.tileDirect(bKeep[at + 1], bKeep, at + 2, b, wIdx, ldb, bSparse, dst, tile, 0, nr, rows, read, bta);
        }
      }
      for (int j = 0; j < nr; j++) {
        int ci = cOff + (s0 + j) * ldc + i0;
        for (int r = 0; r < rows; r++) {
          c[ci + r] = tile[r * nr + j];
        }
      }
    }

    // ------------------------------------------------------------ one vector of columns

    /**
     * Packs alpha * op(B) (k x n, n at most one vector) into the shared buffer, row p at {@code p *
     * lanes}, zero past n. Here alpha goes with B, as A is not packed.
     */
    void packNarrowB() {
      float[] bp = shared;
      float al = alpha;
      // Row by row of op(B), so the writes are sequential; a transposed B is read down its n <= 16 rows.
      int jStep = transB ? ldb : 1;
      int pStep = transB ? 1 : ldb;
      for (int p = 0, src = bOff, d = 0; p < k; p++, src += pStep, d += lanes) {
        int j = 0;
        for (int from = src; j < n; j++, from += jStep) {
          bp[d + j] = al * b[from];
        }
        for (; j < lanes; j++) {
          bp[d + j] = 0f;
        }
      }
    }

    /**
     * Columns of task t (groups of 4 rows of B): C[i, j] = alpha dot(A_i, B_j), or fma(beta, C, that) when beta
     * is not 0, for every row i of A.
     */
    private void splitDots(Context own, int t) {
      int groups = (n + 3) / 4;
      GemmMicroKernel mk = micro;
      for (int g = part(groups, t), end = part(groups, t + 1); g < end; g++) {
        int j = g * 4;
        int rows = Math.min(4, n - j);
        for (int i = 0; i < m; i++) {
          mk.dots(k, a, aOff + i * lda, b, bOff + j * ldb, ldb, rows, own.dotSums, 0, own.dotLanes);
          int ci = cOff + i * ldc + j;
          for (int r = 0; r < rows; r++) {
            float v = alpha * own.dotSums[r];
            c[ci + r] = beta == 0f ? v : Math.fma(beta, c[ci + r], v);
          }
        }
      }
    }

    /**
     * The blocks of DOT_ROWS rows of A of task t, each against B's rows in near-equal groups of at most DOT_COLS:
     * C[i, j] = alpha dot(A_i, B_j), or fma(beta, C, that) when beta is not 0, {@link #splitDots}'s values.
     */
    private void splitDotBlocks(Context own, int t) {
      int rowsPer = GemmMicroKernel.DOT_ROWS;
      int colsPer = GemmMicroKernel.DOT_COLS;
      int blocks = (m + rowsPer - 1) / rowsPer;
      int groups = (n + colsPer - 1) / colsPer;
      GemmMicroKernel mk = micro;
      float[] sums = own.dotSums;
      for (int blk = part(blocks, t), end = part(blocks, t + 1); blk < end; blk++) {
        int i = blk * rowsPer;
        int rowsA = Math.min(rowsPer, m - i);
        for (int g = 0; g < groups; g++) {
          int j = g * n / groups;
          int rowsB = (g + 1) * n / groups - j;
          mk.dotBlock(k, a, aOff + i * lda, lda, rowsA, b, bOff + j * ldb, ldb, rowsB, sums, own.dotLanes);
          for (int r = 0; r < rowsA; r++) {
            int ci = cOff + (i + r) * ldc + j;
            for (int q = 0; q < rowsB; q++) {
              float v = alpha * sums[r * colsPer + q];
              c[ci + q] = beta == 0f ? v : Math.fma(beta, c[ci + q], v);
            }
          }
        }
      }
    }

    /** The rows of task t (whole strips): each strip of MR rows of A against the packed B, K block by K block. */
    private void splitNarrow(Context own, int t) {
      int strips = (m + MR - 1) / MR;
      GemmMicroKernel mk = micro;
      for (int i = part(strips, t) * MR, end = Math.min(m, part(strips, t + 1) * MR); i < end; i += MR) {
        int rows = Math.min(MR, m - i);
        for (int pcb = 0; pcb < k; pcb += kc) {
          int kcb = Math.min(kc, k - pcb);
          boolean read = pcb > 0 || beta != 0f;
          float bta = pcb > 0 ? 1f : beta;
          if (n == lanes) {
            mk.columnDirect(
                kcb, a, aOff + i * lda + pcb, lda, shared, pcb * lanes, c, cOff + i * ldc, ldc, rows, read, bta);
          } else {
            mk.columnDirect(kcb, a, aOff + i * lda + pcb, lda, shared, pcb * lanes, own.edge, 0, lanes, rows, false, 0f);
            mergeEdge(own.edge, cOff + i * ldc, rows, n, read, bta);
          }
        }
      }
    }

    /**
     * C[rows x cols at cIdx] = acc, or fma(C, beta, acc) when {@code read}, from a scratch tile of one vector
     * per row: the arithmetic of the vector store, lane by lane.
     */
    private void mergeEdge(float[] acc, int cIdx, int rows, int cols, boolean read, float bta) {
      for (int r = 0; r < rows; r++, cIdx += ldc) {
        for (int j = 0, s = r * lanes; j < cols; j++) {
          c[cIdx + j] = read ? Math.fma(c[cIdx + j], bta, acc[s + j]) : acc[s + j];
        }
      }
    }

    // ------------------------------------------------------------ packing and the macro-kernel

    /**
     * Packs strips {@code [s0, s1)} of the B block op(B)[pcb : pcb + kcb, jcb : jcb + ncb] into {@code bp}:
     * whole NR strips at {@code s * kcb * NR}, then one-vector strips (see {@link #macro}).
     */
    private void packBlock(Context own, float[] bp, int jcb, int ncb, int pcb, int kcb, int s0, int s1) {
      int full = ncb / nr;
      int wholeEnd = Math.min(s1, full);
      if (!transB && s0 < wholeEnd) {
        // Row by row across the strips: long contiguous reads of B.
        micro.packRows(b, bOff + pcb * ldb + jcb + s0 * nr, ldb, kcb, wholeEnd - s0, bp, s0 * kcb * nr);
      }
      for (int s = s0; s < s1; s++) {
        if (s < full) {
          if (transB) {
            packB(own, bp, s * kcb * nr, nr, nr, jcb + s * nr, pcb, kcb);
          }
        } else {
          int v = s - full;
          int col = jcb + full * nr + v * lanes;
          packB(own, bp, (full * nr + v * lanes) * kcb, lanes, Math.min(lanes, jcb + ncb - col), col, pcb, kcb);
        }
      }
    }

    /**
     * The macro-kernel: runs every strip of a packed B block (columns {@code [jcb, jcb + ncb)}) past the
     * packed A strips of rows {@code [i0, i0 + rows)} at {@code pa.aPack[aIdx]}. A B strip is read from L2
     * once and then from L1 for the other A strips.
     */
    private void macro(
        Context own, Context pa, int aIdx, int i0, int rows, int kcb, float[] bp, int jcb, int ncb, int pcb) {
      boolean read = pcb > 0 || beta != 0f;
      float bta = pcb > 0 ? 1f : beta;
      int full = ncb / nr;
      for (int s = 0; s < full; s++) {
        runStrip(own, pa, aIdx, i0, rows, kcb, bp, s * kcb * nr, true, nr, jcb + s * nr, read, bta);
      }
      for (int j = full * nr; j < ncb; j += lanes) {
        runStrip(own, pa, aIdx, i0, rows, kcb, bp, j * kcb, false, Math.min(lanes, ncb - j), jcb + j, read, bta);
      }
    }

    /**
     * Packs op(B)[pcb : pcb + kcb, col : col + cols] as a strip of {@code width} columns (NR or one
     * vector) at {@code bp[dst]}, zero past {@code cols}.
     */
    private void packB(Context own, float[] bp, int dst, int width, int cols, int col, int pcb, int kcb) {
      if (!transB) {
        int src = bOff + pcb * ldb + col;
        for (int p = 0; p < kcb; p++, src += ldb, dst += width) {
          System.arraycopy(b, src, bp, dst, cols);
          if (cols < width) {
            Arrays.fill(bp, dst + cols, dst + width, 0f);
          }
        }
        return;
      }
      if (cols == width) {
        int[] map = own.gatherMap(ldb);
        for (int v = 0; v < width; v += lanes) {
          micro.gatherColumns(b, bOff + (col + v) * ldb + pcb, kcb, bp, dst + v, width, map);
        }
        return;
      }
      for (int jj = 0; jj < width; jj++) {
        int d = dst + jj;
        if (jj < cols) {
          int src = bOff + (col + jj) * ldb + pcb;
          for (int p = 0; p < kcb; p++, d += width) {
            bp[d] = b[src + p];
          }
        } else {
          for (int p = 0; p < kcb; p++, d += width) {
            bp[d] = 0f;
          }
        }
      }
    }

    /**
     * Packs alpha * op(A)[i : i + rows, pcb : pcb + kcb] as one strip: a full strip of
     * MR rows, or a half strip if {@code rows <= MR_HALF} and these are the last rows of A; zero past
     * {@code rows}. The strip goes into {@code pa.aPack} at {@code dst}, and then leaves out its zero steps.
     */
    private void packA(Context pa, int dst, int i, int rows, int pcb, int kcb) {
      int h = rows <= MR_HALF && i + rows == m ? MR_HALF : MR;
      packStrip(pa.aPack, dst, h, i, rows, pcb, kcb);
      if (skipZeroSteps) {
        leaveOutZeroSteps(pa.aPack, pa.aSparse, pa.aKeep, dst, dst / MR_HALF, h, kcb);
      } else {
        pa.aKeep[dst / MR_HALF] = kcb;
      }
    }

    /**
     * Copies the packed A strip at {@code ap[dst]} ({@code h} rows, {@code kcb} steps) without the steps whose h
     * elements are all zero to {@code sparse[dst]}, in runs of consecutive steps (a gap of at most {@link
     * #RUN_GAP} zero steps stays in its run: a run costs the sparse kernel about three steps). {@code keep[at]}
     * gets the number of steps kept; when that is below kcb, the number of runs and their {@code [start, end)}
     * follow (a strip of h floats per step has kcb * h / 6 ints there, and an A^T strip kcb * NR / lanes). The strip stays whole (kept = kcb) when fewer than a quarter of its steps would go, or when
     * the runs would not fit a half strip's kcb ints. The product of the kept steps is bit for bit that of the
     * whole strip: from an accumulator that starts at +0, {@code fma(0, b, acc) == acc} for every finite b. (A
     * NaN or an infinity of B that meets only zeros of A is therefore not carried into C.)
     */
    private static void leaveOutZeroSteps(float[] ap, float[] sparse, int[] keep, int dst, int at, int h, int kcb) {
      if (kcb < 4) {
        keep[at] = kcb;
        return;
      }
      int most = kcb - kcb / 4;
      int maxRuns = (kcb - 2) / 2;
      int kept = 0;
      int runs = 0;
      int end = 0; // of the last run
      for (int p = 0, src = dst; p < kcb; p++, src += h) {
        if (zeroStep(ap, src, h)) {
          continue;
        }
        if (runs > 0 && p - end <= RUN_GAP) {
          kept += p + 1 - end;
        } else if (runs == maxRuns) {
          kept = kcb;
          break;
        } else {
          keep[at + 2 + 2 * runs] = p;
          runs++;
          kept++;
        }
        end = p + 1;
        keep[at + 1 + 2 * runs] = end;
        if (kept > most) {
          break;
        }
      }
      if (kept > most) {
        keep[at] = kcb;
        return;
      }
      keep[at] = kept;
      keep[at + 1] = runs;
      for (int r = 0, to = dst; r < runs; r++) {
        int len = (keep[at + 3 + 2 * r] - keep[at + 2 + 2 * r]) * h;
        System.arraycopy(ap, dst + keep[at + 2 + 2 * r] * h, sparse, to, len);
        to += len;
      }
    }

    /**
     * Whether one of the first {@link #PROBE_STEPS} steps of the whole B strip at {@code bp[dst]} is zero: a strip
     * without is taken as dense and not scanned further (a dense B, PEPITA's X_mod or a layer's weights, would
     * otherwise be read twice). Only the speed depends on it.
     */
    private boolean zeroStepAmongFirst(float[] bp, int dst, int kcb) {
      for (int p = 0, end = Math.min(kcb, PROBE_STEPS); p < end; p++) {
        if (zeroStep(bp, dst + p * nr, nr)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Whether the h floats at {@code ap[src]} are all +0 or -0. Without branches per element: the zeros of an
     * activation gradient fall at random, and a branch on each would be mispredicted half the time.
     */
    private static boolean zeroStep(float[] ap, int src, int h) {
      int bits = 0;
      for (int r = 0; r < h; r++) {
        bits |= Float.floatToRawIntBits(ap[src + r]);
      }
      return (bits & 0x7fff_ffff) == 0;
    }

    private void packStrip(float[] ap, int dst, int h, int i, int rows, int pcb, int kcb) {
      float al = alpha;
      if (transA) {
        int src = aOff + pcb * lda + i;
        for (int p = 0; p < kcb; p++, src += lda, dst += h) {
          int r = 0;
          for (; r < rows; r++) {
            ap[dst + r] = al * a[src + r];
          }
          for (; r < h; r++) {
            ap[dst + r] = 0f;
          }
        }
        return;
      }
      for (int r = 0; r < h; r++) {
        int d = dst + r;
        if (r < rows) {
          int src = aOff + (i + r) * lda + pcb;
          for (int p = 0; p < kcb; p++, d += h) {
            ap[d] = al * a[src + p];
          }
        } else {
          for (int p = 0; p < kcb; p++, d += h) {
            ap[d] = 0f;
          }
        }
      }
    }

    /**
     * Runs one packed B strip (NR columns if {@code whole}, else one vector with {@code cols} valid) past
     * the packed A strips of rows {@code [i0, i0 + rows)} at {@code pa.aPack[aIdx]}, into C at column {@code col}.
     */
    private void runStrip(
        Context own,
        Context pa,
        int aIdx,
        int i0,
        int rows,
        int kcb,
        float[] bp,
        int bIdx,
        boolean whole,
        int cols,
        int col,
        boolean read,
        float bta) {
      if (fused) {
        runStripFused(own, pa, aIdx, i0, rows, kcb, bp, bIdx, whole, cols, col);
        return;
      }
      GemmMicroKernel mk = micro;
      int cIdx = cOff + i0 * ldc + col;
      int i = 0;
      for (; i + MR <= rows; i += MR, aIdx += MR * kcb, cIdx += MR * ldc) {
        if (whole) {
          wholeTile(own, false, pa, aIdx, kcb, bp, bIdx, c, cIdx, ldc, MR, read, bta);
        } else {
          column(own, false, pa, aIdx, kcb, bp, bIdx, cIdx, MR, cols, read, bta);
        }
      }
      int rest = rows - i;
      if (rest == 0) {
        return;
      }
      boolean half = rest <= MR_HALF && i0 + rows == m;
      if (!whole) {
        column(own, half, pa, aIdx, kcb, bp, bIdx, cIdx, rest, cols, read, bta);
      } else {
        wholeTile(own, half, pa, aIdx, kcb, bp, bIdx, c, cIdx, ldc, rest, read, bta);
      }
    }

    /**
     * As {@link #runStrip} with the fused SGD step (one K block, beta 0): each tile of G is stored into the
     * thread's scratch (the same kernels and arithmetic as a store into C) and goes from there into the step.
     */
    private void runStripFused(
        Context own, Context pa, int aIdx, int i0, int rows, int kcb, float[] bp, int bIdx, boolean whole, int cols,
        int col) {
      int i = 0;
      for (; i + MR <= rows; i += MR, aIdx += MR * kcb) {
        fusedGroup(own, false, pa, aIdx, kcb, bp, bIdx, whole, i0 + i, MR, cols, col);
      }
      int rest = rows - i;
      if (rest > 0) {
        fusedGroup(own, rest <= MR_HALF && i0 + rows == m, pa, aIdx, kcb, bp, bIdx, whole, i0 + i, rest, cols, col);
      }
    }

    private void fusedGroup(
        Context own, boolean half, Context pa, int aIdx, int kcb, float[] bp, int bIdx, boolean whole, int row,
        int rows, int cols, int col) {
      GemmMicroKernel mk = micro;
      float[] t = whole ? own.tileBuf : own.edge;
      int ldt = whole ? nr : lanes;
      if (whole) {
        wholeTile(own, half, pa, aIdx, kcb, bp, bIdx, t, 0, ldt, rows, false, 0f);
      } else if (half) {
        mk.columnHalf(kcb, pa.aPack, aIdx, bp, bIdx, t, 0, ldt, rows, false, 0f);
      } else {
        mk.column(kcb, pa.aPack, aIdx, bp, bIdx, t, 0, ldt, rows, false, 0f);
      }
      epilogue(t, ldt, row, rows, col, cols);
    }

    /**
     * A whole B strip (NR columns) past one A strip (half or full) into {@code dst}: the tile kernel, or, when the
     * A strip left out zero steps, or else the shared B strip (the row split's), the sparse kernel on the kept
     * ones through a scratch tile (bit for bit the same).
     */
    private void wholeTile(
        Context own,
        boolean half,
        Context pa,
        int aIdx,
        int kcb,
        float[] bp,
        int bIdx,
        float[] dst,
        int dstIdx,
        int ldd,
        int rows,
        boolean read,
        float bta) {
      GemmMicroKernel mk = micro;
      float[] t = own.sparseTile;
      int bAt = bIdx / lanes;
      if (pa.steps(aIdx) < kcb) {
        int runs = pa.runs(aIdx);
        if (half) {
          mk.tileHalfSparse(runs, pa.aKeep, pa.runIndex(aIdx), true, pa.aSparse, aIdx, bp, bIdx, t);
        } else {
          mk.tileSparse(runs, pa.aKeep, pa.runIndex(aIdx), true, pa.aSparse, aIdx, bp, bIdx, t);
        }
      } else if (sparseB && bKeep[bAt] < kcb) {
        if (half) {
          mk.tileHalfSparse(bKeep[bAt + 1], bKeep, bAt + 2, false, pa.aPack, aIdx, bSparse, bIdx, t);
        } else {
          mk.tileSparse(bKeep[bAt + 1], bKeep, bAt + 2, false, pa.aPack, aIdx, bSparse, bIdx, t);
        }
      } else {
        if (half) {
          mk.tileHalf(kcb, pa.aPack, aIdx, bp, bIdx, dst, dstIdx, ldd, rows, read, bta);
        } else {
          mk.tile(kcb, pa.aPack, aIdx, bp, bIdx, dst, dstIdx, ldd, rows, read, bta);
        }
        return;
      }
      mk.storeTile(t, dst, dstIdx, ldd, rows, read, bta);
    }

    /** A one-vector strip for one A strip (half or full); a partial vector goes through the scratch tile. */
    private void column(
        Context own,
        boolean half,
        Context pa,
        int aIdx,
        int kcb,
        float[] bp,
        int bIdx,
        int cIdx,
        int rows,
        int cols,
        boolean read,
        float bta) {
      GemmMicroKernel mk = micro;
      boolean direct = cols == lanes;
      float[] dst = direct ? c : own.edge;
      int dstIdx = direct ? cIdx : 0;
      int dstLd = direct ? ldc : lanes;
      if (half) {
        mk.columnHalf(kcb, pa.aPack, aIdx, bp, bIdx, dst, dstIdx, dstLd, rows, direct && read, bta);
      } else {
        mk.column(kcb, pa.aPack, aIdx, bp, bIdx, dst, dstIdx, dstLd, rows, direct && read, bta);
      }
      if (!direct) {
        mergeEdge(own.edge, cIdx, rows, cols, read, bta);
      }
    }
  }
}
