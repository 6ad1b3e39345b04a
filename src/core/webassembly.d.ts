/**
 * The part of the WebAssembly JavaScript API the fast engine (src/core/fast/) uses, for the node
 * runtimes' type checks (src/worker, src/cli, src/extension): TypeScript declares WebAssembly only
 * in its DOM and WebWorker libraries, which node code should not see. The root tsconfig.json, which
 * has the DOM library, leaves this file out.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }

  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }

  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }

  type Imports = Record<string, Record<string, Memory | ((...args: never[]) => unknown) | number>>;

  /** Whether the bytes are a module this runtime can compile (relaxed SIMD or not: see kernelChoice.ts). */
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;

  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }
}
