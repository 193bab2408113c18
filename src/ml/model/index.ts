export {
  GENERIC_FACE_WEIGHT,
  MODEL_VERSION,
  MIN_SAMPLES_PER_CLASS,
  type GenericFaceModel,
  isUsableModel,
  predictWithModel,
  trainPersonModel,
  uncertaintyThreshold,
} from './personModel';
