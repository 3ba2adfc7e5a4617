public enum VigilControlPlaceholder {}
