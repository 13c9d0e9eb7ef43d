from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "fireside.posts"
    label = "posts"
