public enum SOCEnginePlaceholder {}
