// llama.cpp's llama_ftype (include/llama.h), as written to `general.file_type`.
const FILE_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1', 10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M',
  13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M', 16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 19: 'IQ2_XXS', 20: 'IQ2_XS',
  21: 'Q2_K_S', 22: 'IQ3_XS', 23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL', 26: 'IQ3_S', 27: 'IQ3_M', 28: 'IQ2_S',
  29: 'IQ2_M', 30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16', 36: 'TQ1_0', 37: 'TQ2_0', 38: 'MXFP4_MOE',
};

// ggml_type ids, for files that do not record a file type.
const TENSOR_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 10: 'Q2_K', 11: 'Q3_K', 12: 'Q4_K',
  13: 'Q5_K', 14: 'Q6_K', 30: 'BF16',
};

// Pure: the quantization name of a model file: its recorded file type, else the type most of its matrices use.
export function quantizationOf(fileType: number | undefined, tensors: ReadonlyArray<{ dtype: number; shape: readonly unknown[] }>): string {
  if (fileType !== undefined) return FILE_TYPES[fileType] ?? `file type ${fileType}`;
  const counts = new Map<number, number>();
  for (const tensor of tensors) if (tensor.shape.length >= 2) counts.set(tensor.dtype, (counts.get(tensor.dtype) ?? 0) + 1);
  const [dtype] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  return dtype === undefined ? 'unknown' : (TENSOR_TYPES[dtype] ?? `tensor type ${dtype}`);
}
